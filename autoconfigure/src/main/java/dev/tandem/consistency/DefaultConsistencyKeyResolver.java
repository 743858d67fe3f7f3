package dev.tandem.consistency;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import org.jspecify.annotations.Nullable;

import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.util.ClassUtils;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * Tandem's default chain of consistency keys, first match wins:
 * <ol>
 * <li>a key set in code with {@link ConsistencyKey#callWith} or
 * {@link ConsistencyKey#runWith};</li>
 * <li>the value of the request header named by {@code tandem.consistency.key-header},
 * when that is set;</li>
 * <li>the authenticated principal's name, when Spring Security is present;</li>
 * <li>the id of the request's HTTP session, when one exists (none is created).</li>
 * </ol>
 * Web sources apply to servlet requests on the request's thread.
 */
public final class DefaultConsistencyKeyResolver implements ConsistencyKeyResolver {

	private static final boolean webPresent = ClassUtils
		.isPresent("org.springframework.web.context.request.RequestContextHolder", null)
			&& ClassUtils.isPresent("jakarta.servlet.http.HttpServletRequest", null);

	private static final boolean securityPresent = ClassUtils
		.isPresent("org.springframework.security.core.context.SecurityContextHolder", null);

	private final @Nullable String keyHeader;

	/**
	 * Creates the chain.
	 * @param keyHeader the request header holding the key, or {@code null} for none
	 */
	public DefaultConsistencyKeyResolver(@Nullable String keyHeader) {
		this.keyHeader = (keyHeader != null && !keyHeader.isBlank()) ? keyHeader : null;
	}

	@Override
	public @Nullable String resolve() {
		String explicit = ConsistencyKey.current();
		if (explicit != null) {
			return explicit;
		}
		HttpServletRequest request = webPresent ? Web.request() : null;
		if (request != null && this.keyHeader != null) {
			String value = request.getHeader(this.keyHeader);
			if (value != null && !value.isBlank()) {
				return value;
			}
		}
		if (securityPresent) {
			String principal = Security.principal();
			if (principal != null) {
				return principal;
			}
		}
		return (request != null) ? Web.sessionId(request) : null;
	}

	/** Touches the servlet API only when it is present. */
	private static final class Web {

		static @Nullable HttpServletRequest request() {
			RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
			return (attributes instanceof ServletRequestAttributes servlet) ? servlet.getRequest() : null;
		}

		static @Nullable String sessionId(HttpServletRequest request) {
			HttpSession session = request.getSession(false);
			return (session != null) ? "session:" + session.getId() : null;
		}

	}

	/** Touches Spring Security only when it is present. */
	private static final class Security {

		static @Nullable String principal() {
			Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
			if (authentication == null || !authentication.isAuthenticated()
					|| authentication instanceof AnonymousAuthenticationToken) {
				return null;
			}
			return authentication.getName();
		}

	}

}

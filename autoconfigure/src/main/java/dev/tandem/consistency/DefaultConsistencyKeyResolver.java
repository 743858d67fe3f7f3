package dev.tandem.consistency;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * <li>the authenticated principal's name, when Spring Security is present;</li>
 * <li>the value of the request header named by {@code tandem.consistency.key-header},
 * when that is set, and at most {@link #MAX_KEY_HEADER_LENGTH} characters long (a longer
 * one is ignored as if absent);</li>
 * <li>the id of the request's HTTP session, when one exists (none is created).</li>
 * </ol>
 * The header comes before the principal when so configured. Any client can send the
 * header: it is for a gateway that sets it (or strips it) on every request.
 * <p>
 * Web sources apply to servlet requests on the request's thread.
 */
public final class DefaultConsistencyKeyResolver implements ConsistencyKeyResolver {

	private static final boolean webPresent = ClassUtils
		.isPresent("org.springframework.web.context.request.RequestContextHolder", null)
			&& ClassUtils.isPresent("jakarta.servlet.http.HttpServletRequest", null);

	private static final boolean securityPresent = ClassUtils
		.isPresent("org.springframework.security.core.context.SecurityContextHolder", null);

	private static final Logger logger = LoggerFactory.getLogger(DefaultConsistencyKeyResolver.class);

	/**
	 * The longest key header value taken as a key, in characters: a client cannot make
	 * markers of keys as long as the server's header limit.
	 */
	public static final int MAX_KEY_HEADER_LENGTH = 256;

	private final @Nullable String keyHeader;

	private final boolean headerOverPrincipal;

	/**
	 * Creates the chain, where the principal comes before the header.
	 * @param keyHeader the request header holding the key, or {@code null} for none
	 */
	public DefaultConsistencyKeyResolver(@Nullable String keyHeader) {
		this(keyHeader, false);
	}

	/**
	 * Creates the chain.
	 * @param keyHeader the request header holding the key, or {@code null} for none
	 * @param headerOverPrincipal whether the header comes before the authenticated
	 * principal
	 */
	public DefaultConsistencyKeyResolver(@Nullable String keyHeader, boolean headerOverPrincipal) {
		this.keyHeader = (keyHeader != null && !keyHeader.isBlank()) ? keyHeader : null;
		this.headerOverPrincipal = headerOverPrincipal;
	}

	@Override
	public @Nullable String resolve() {
		String explicit = ConsistencyKey.current();
		if (explicit != null) {
			return explicit;
		}
		HttpServletRequest request = webPresent ? Web.request() : null;
		if (this.headerOverPrincipal) {
			String header = headerKey(request);
			if (header != null) {
				return header;
			}
		}
		if (securityPresent) {
			String principal = Security.principal();
			if (principal != null) {
				return principal;
			}
		}
		if (!this.headerOverPrincipal) {
			String header = headerKey(request);
			if (header != null) {
				return header;
			}
		}
		return (request != null) ? Web.sessionId(request) : null;
	}

	private @Nullable String headerKey(@Nullable HttpServletRequest request) {
		if (request == null || this.keyHeader == null) {
			return null;
		}
		String value = request.getHeader(this.keyHeader);
		if (value == null || value.isBlank()) {
			return null;
		}
		if (value.length() > MAX_KEY_HEADER_LENGTH) {
			logger.debug("Ignored the {} header: {} characters, more than the {} a consistency key may have",
					this.keyHeader, value.length(), MAX_KEY_HEADER_LENGTH);
			return null;
		}
		return value;
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

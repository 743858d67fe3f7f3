package dev.tandem.consistency;

import java.io.IOException;
import java.time.Duration;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import dev.tandem.topology.Lsn;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseCookie;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The causal token of read-your-writes for web clients. A request that carries the token
 * (the {@code X-Read-After} header for API clients, or the {@code tandem-read-after}
 * cookie for browsers) reads at least that fresh, with or without a consistency key. A
 * request that commits a write gets its commit LSN back in the header and in the cookie
 * ({@code Path=/}, {@code Max-Age} the marker TTL, {@code HttpOnly},
 * {@code SameSite=Lax}), so that a post-redirect-get shows what the post created, with no
 * login and no session. Tokens are validated strictly; a malformed one is ignored.
 */
public class CausalTokenFilter extends OncePerRequestFilter implements Ordered {

	private static final Logger logger = LoggerFactory.getLogger(CausalTokenFilter.class);

	private final String header;

	private final @Nullable String cookie;

	private final Duration ttl;

	/**
	 * Creates the filter.
	 * @param header the token's request and response header
	 * @param cookie the token cookie's name, or {@code null} for no cookie
	 * @param ttl the cookie's lifetime, the marker TTL
	 */
	public CausalTokenFilter(String header, @Nullable String cookie, Duration ttl) {
		this.header = header;
		this.cookie = cookie;
		this.ttl = ttl;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		Lsn fromClient = max(token(request.getHeader(this.header), "header " + this.header),
				token(cookieValue(request), "cookie " + this.cookie));
		CausalTokens tokens = new CausalTokens(fromClient, (lsn) -> respond(response, lsn));
		CausalTokens outer = CausalTokens.current();
		CausalTokens.bind(tokens);
		try {
			chain.doFilter(request, response);
		}
		finally {
			CausalTokens.bind(outer);
		}
	}

	private void respond(HttpServletResponse response, Lsn lsn) {
		if (response.isCommitted()) {
			logger.debug("Response already committed; causal token {} not sent", lsn);
			return;
		}
		response.setHeader(this.header, lsn.toString());
		if (this.cookie != null) {
			ResponseCookie cookie = ResponseCookie.from(this.cookie, lsn.toString())
				.path("/")
				.maxAge(this.ttl)
				.httpOnly(true)
				.sameSite("Lax")
				.build();
			response.addHeader(HttpHeaders.SET_COOKIE, cookie.toString());
		}
	}

	private @Nullable String cookieValue(HttpServletRequest request) {
		Cookie[] cookies = request.getCookies();
		if (this.cookie == null || cookies == null) {
			return null;
		}
		for (Cookie candidate : cookies) {
			if (this.cookie.equals(candidate.getName())) {
				return candidate.getValue();
			}
		}
		return null;
	}

	private static @Nullable Lsn token(@Nullable String value, String source) {
		if (value == null || value.isEmpty()) {
			return null;
		}
		Lsn lsn = CausalTokens.parse(value);
		if (lsn == null && logger.isDebugEnabled()) {
			logger.debug("Ignoring a malformed causal token in the {}: it must be X/Y in hex", source);
		}
		return lsn;
	}

	private static @Nullable Lsn max(@Nullable Lsn a, @Nullable Lsn b) {
		if (a == null) {
			return b;
		}
		return (b == null || a.compareTo(b) >= 0) ? a : b;
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE + 100;
	}

}

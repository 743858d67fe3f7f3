package dev.tandem.consistency;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import dev.tandem.wal.Lsn;
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
 * request that commits a write gets the commit LSN of its latest write back in the header
 * and in the cookie ({@code Path} the context path, {@code Max-Age} the marker TTL,
 * {@code HttpOnly}, {@code SameSite=Lax}, {@code Secure} on a secure request), so that a
 * post-redirect-get shows what the post created, with no login and no session. However
 * many times a request commits, its response has one header and one cookie, rewritten
 * with each higher commit until the response is committed. With a
 * {@link CausalTokens.Signer} tokens are signed, and tokens without a valid signature are
 * ignored. Tokens are validated strictly; a malformed one is ignored.
 */
public class CausalTokenFilter extends OncePerRequestFilter implements Ordered {

	private static final Logger logger = LoggerFactory.getLogger(CausalTokenFilter.class);

	private final String header;

	private final @Nullable String cookie;

	private final Duration ttl;

	private final CausalTokens.@Nullable Signer signer;

	/**
	 * Creates the filter for plain tokens.
	 * @param header the token's request and response header
	 * @param cookie the token cookie's name, or {@code null} for no cookie
	 * @param ttl the cookie's lifetime, the marker TTL
	 */
	public CausalTokenFilter(String header, @Nullable String cookie, Duration ttl) {
		this(header, cookie, ttl, null);
	}

	/**
	 * Creates the filter.
	 * @param header the token's request and response header
	 * @param cookie the token cookie's name, or {@code null} for no cookie
	 * @param ttl the cookie's lifetime, the marker TTL
	 * @param signer signs the tokens sent and verifies the tokens received, or
	 * {@code null} for plain tokens
	 */
	public CausalTokenFilter(String header, @Nullable String cookie, Duration ttl,
			CausalTokens.@Nullable Signer signer) {
		this.header = header;
		this.cookie = cookie;
		this.ttl = ttl;
		this.signer = signer;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		Lsn fromClient = max(token(request.getHeader(this.header), "header " + this.header),
				token(cookieValue(request), "cookie " + this.cookie));
		Reply reply = new Reply(request, response);
		CausalTokens tokens = new CausalTokens(fromClient, reply::send);
		CausalTokens outer = CausalTokens.current();
		CausalTokens.bind(tokens);
		try {
			chain.doFilter(request, response);
		}
		finally {
			tokens.close();
			CausalTokens.bind(outer);
		}
	}

	/**
	 * The token of one response: one header and one cookie, whatever the number of
	 * commits. Headers cannot change once the response is committed, so each higher
	 * commit replaces the previous token right away.
	 */
	private final class Reply {

		private final HttpServletRequest request;

		private final HttpServletResponse response;

		private boolean cookieSent;

		Reply(HttpServletRequest request, HttpServletResponse response) {
			this.request = request;
			this.response = response;
		}

		synchronized void send(Lsn lsn) {
			if (this.response.isCommitted()) {
				logger.debug("Response already committed; causal token {} not sent", lsn);
				return;
			}
			String token = CausalTokens.text(lsn, CausalTokenFilter.this.signer);
			this.response.setHeader(CausalTokenFilter.this.header, token);
			String name = CausalTokenFilter.this.cookie;
			if (name != null) {
				String path = this.request.getContextPath();
				String cookie = ResponseCookie.from(name, token)
					.path(path.isEmpty() ? "/" : path)
					.maxAge(CausalTokenFilter.this.ttl)
					.secure(this.request.isSecure())
					.httpOnly(true)
					.sameSite("Lax")
					.build()
					.toString();
				replaceCookie(name, cookie);
			}
		}

		/**
		 * Replaces the cookie sent before and keeps the response's other cookies. Found
		 * by name: a container may store a header in its own spelling.
		 */
		private void replaceCookie(String name, String cookie) {
			if (!this.cookieSent) {
				this.response.addHeader(HttpHeaders.SET_COOKIE, cookie);
				this.cookieSent = true;
				return;
			}
			List<String> cookies = new ArrayList<>();
			for (String value : this.response.getHeaders(HttpHeaders.SET_COOKIE)) {
				cookies.add(value.startsWith(name + "=") ? cookie : value);
			}
			if (!cookies.contains(cookie)) {
				cookies.add(cookie);
			}
			this.response.setHeader(HttpHeaders.SET_COOKIE, cookies.get(0));
			for (int i = 1; i < cookies.size(); i++) {
				this.response.addHeader(HttpHeaders.SET_COOKIE, cookies.get(i));
			}
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

	private @Nullable Lsn token(@Nullable String value, String source) {
		if (value == null || value.isEmpty()) {
			return null;
		}
		CausalTokens.Signer signer = this.signer;
		Lsn lsn = CausalTokens.read(value, signer);
		if (lsn == null && logger.isDebugEnabled()) {
			logger.debug("Ignoring a malformed causal token in the {}: it must be {}", source,
					(signer != null) ? "X/Y in hex, a dot and a valid signature" : "X/Y in hex");
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

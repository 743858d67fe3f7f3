package dev.tandem.consistency;

import java.time.Duration;
import java.util.List;

import dev.tandem.wal.Lsn;
import jakarta.servlet.FilterChain;
import jakarta.servlet.http.Cookie;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.core.Ordered;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The response side of causal tokens: one header and one cookie per response, with the
 * highest commit, and the cookie's attributes from the request.
 */
class CausalTokenFilterTests {

	private final CausalTokenFilter filter = new CausalTokenFilter("X-Read-After", "tandem-read-after",
			Duration.ofSeconds(10));

	private final MockHttpServletRequest request = new MockHttpServletRequest("POST", "/things");

	private final MockHttpServletResponse response = new MockHttpServletResponse();

	@Test
	void aRequestThatCommitsManyTimesGetsOneHeaderAndOneCookieWithTheHighestCommit() throws Exception {
		run(this.filter, (request, response) -> {
			this.response.addHeader("Set-Cookie", "before=1");
			commit("0/10");
			commit("0/30");
			this.response.addHeader("Set-Cookie", "between=2");
			commit("0/20");
			commit("0/40");
		});
		assertThat(this.response.getHeaders("X-Read-After")).containsExactly("0/40");
		List<String> cookies = this.response.getHeaders("Set-Cookie");
		assertThat(cookies).filteredOn((cookie) -> cookie.startsWith("tandem-read-after="))
			.singleElement()
			.asString()
			.startsWith("tandem-read-after=0/40;");
		assertThat(cookies).as("the application's cookies are kept")
			.anyMatch((cookie) -> cookie.startsWith("before=1"))
			.anyMatch((cookie) -> cookie.startsWith("between=2"))
			.hasSize(3);
	}

	@Test
	void aCookieOnAPlainRequestHasPathSlashAndIsNotSecure() throws Exception {
		run(this.filter, (request, response) -> commit("0/3000060"));
		assertThat(this.response.getHeader("Set-Cookie"))
			.matches("tandem-read-after=0/3000060; Path=/; Max-Age=10; Expires=[^;]+; HttpOnly; SameSite=Lax");
	}

	@Test
	void aCookieOnASecureRequestIsSecure() throws Exception {
		this.request.setSecure(true);
		run(this.filter, (request, response) -> commit("0/3000060"));
		assertThat(this.response.getHeader("Set-Cookie"))
			.matches("tandem-read-after=0/3000060; Path=/; Max-Age=10; Expires=[^;]+; Secure; HttpOnly; SameSite=Lax");
	}

	@Test
	void aCookieIsScopedToTheContextPath() throws Exception {
		this.request.setContextPath("/shop");
		this.request.setRequestURI("/shop/things");
		run(this.filter, (request, response) -> commit("0/3000060"));
		assertThat(this.response.getHeader("Set-Cookie")).contains("; Path=/shop;");
	}

	@Test
	void aCommitAfterTheResponseIsCommittedChangesNothing() throws Exception {
		run(this.filter, (request, response) -> {
			commit("0/10");
			response.flushBuffer();
			commit("0/20");
		});
		assertThat(this.response.getHeaders("X-Read-After")).containsExactly("0/10");
		assertThat(this.response.getHeaders("Set-Cookie")).singleElement()
			.asString()
			.startsWith("tandem-read-after=0/10;");
	}

	@Test
	void withASignerTheTokensSentAreSignedAndOnlySignedTokensAreRead() throws Exception {
		CausalTokens.Signer signer = CausalTokens.Signer.of("0123456789abcdef-secret");
		CausalTokenFilter signing = new CausalTokenFilter("X-Read-After", "tandem-read-after", Duration.ofSeconds(10),
				signer);
		String signed = signer.sign(Lsn.parse("0/3000060"));
		this.request.addHeader("X-Read-After", "0/4000000");
		this.request.setCookies(new Cookie("tandem-read-after", signed));
		Lsn[] fromClient = new Lsn[1];
		run(signing, (request, response) -> {
			fromClient[0] = CausalTokens.current().fromClient();
			commit("0/5000000");
		});
		assertThat(fromClient[0]).as("the plain header is ignored, the signed cookie read")
			.isEqualTo(Lsn.parse("0/3000060"));
		String token = this.response.getHeader("X-Read-After");
		assertThat(token).matches("0/5000000\\.[A-Za-z0-9_-]{22}");
		assertThat(signer.verify(token)).isEqualTo(Lsn.parse("0/5000000"));
		assertThat(this.response.getHeader("Set-Cookie")).startsWith("tandem-read-after=" + token + ";");
	}

	@Test
	void theHigherOfTheHeaderAndTheCookieTokenIsWhatTheClientHasSeen() throws Exception {
		this.request.addHeader("X-Read-After", "0/4000000");
		this.request.setCookies(new Cookie("other", "0/9000000"), new Cookie("tandem-read-after", "0/3000060"));
		assertThat(fromClient(this.filter)).isEqualTo(Lsn.parse("0/4000000"));
		this.request.removeHeader("X-Read-After");
		assertThat(fromClient(this.filter)).as("the cookie alone").isEqualTo(Lsn.parse("0/3000060"));
	}

	@Test
	void aMalformedTokenIsIgnoredAndTheOtherOneRead() throws Exception {
		this.request.addHeader("X-Read-After", "not-a-position");
		this.request.setCookies(new Cookie("tandem-read-after", "0/3000060"));
		assertThat(fromClient(this.filter)).isEqualTo(Lsn.parse("0/3000060"));
		this.request.setCookies(new Cookie("tandem-read-after", ""));
		assertThat(fromClient(this.filter)).isNull();
	}

	@Test
	void withoutACookieNameOnlyTheHeaderIsReadAndSent() throws Exception {
		CausalTokenFilter headerOnly = new CausalTokenFilter("X-Read-After", null, Duration.ofSeconds(10));
		this.request.setCookies(new Cookie("tandem-read-after", "0/3000060"));
		assertThat(fromClient(headerOnly)).isNull();
		run(headerOnly, (request, response) -> commit("0/4000000"));
		assertThat(this.response.getHeader("X-Read-After")).isEqualTo("0/4000000");
		assertThat(this.response.getHeaders("Set-Cookie")).isEmpty();
	}

	@Test
	void theRequestsTokensAreBoundOnlyWhileItRuns() throws Exception {
		assertThat(CausalTokens.current()).isNull();
		run(this.filter, (request, response) -> assertThat(CausalTokens.current()).isNotNull());
		assertThat(CausalTokens.current()).isNull();
	}

	@Test
	void theFilterRunsEarlyAmongTheApplicationsFilters() {
		assertThat(this.filter.getOrder()).isEqualTo(Ordered.HIGHEST_PRECEDENCE + 100);
	}

	private @Nullable Lsn fromClient(CausalTokenFilter filter) throws Exception {
		Lsn[] seen = new Lsn[1];
		filter.doFilter(this.request, new MockHttpServletResponse(),
				(request, response) -> seen[0] = CausalTokens.current().fromClient());
		return seen[0];
	}

	private void run(CausalTokenFilter filter, FilterChain chain) throws Exception {
		filter.doFilter(this.request, this.response, chain);
	}

	private static void commit(String lsn) {
		CausalTokens.current().committed(Lsn.parse(lsn));
	}

}

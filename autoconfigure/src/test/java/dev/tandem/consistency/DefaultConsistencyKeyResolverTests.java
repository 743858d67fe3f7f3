package dev.tandem.consistency;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The order of {@link DefaultConsistencyKeyResolver}'s sources in a servlet request.
 */
class DefaultConsistencyKeyResolverTests {

	private final MockHttpServletRequest request = new MockHttpServletRequest();

	@AfterEach
	void clear() {
		RequestContextHolder.resetRequestAttributes();
		SecurityContextHolder.clearContext();
	}

	private String resolve(String keyHeader) {
		RequestContextHolder.setRequestAttributes(new ServletRequestAttributes(this.request));
		return new DefaultConsistencyKeyResolver(keyHeader).resolve();
	}

	private String resolveHeaderFirst(String keyHeader) {
		RequestContextHolder.setRequestAttributes(new ServletRequestAttributes(this.request));
		return new DefaultConsistencyKeyResolver(keyHeader, true).resolve();
	}

	@Test
	void aRequestWithoutHeaderPrincipalOrSessionHasNoKey() {
		assertThat(resolve("X-User")).isNull();
		assertThat(this.request.getSession(false)).as("no session is created").isNull();
	}

	@Test
	void theSessionIdIsTheLastResort() {
		String id = this.request.getSession(true).getId();
		assertThat(resolve("X-User")).isEqualTo("session:" + id);
	}

	@Test
	void theAuthenticatedPrincipalWinsOverTheSession() {
		this.request.getSession(true);
		SecurityContextHolder.getContext()
			.setAuthentication(UsernamePasswordAuthenticationToken.authenticated("alice", null, List.of()));
		assertThat(resolve("X-User")).isEqualTo("alice");
	}

	@Test
	void anAnonymousPrincipalIsNoKey() {
		SecurityContextHolder.getContext()
			.setAuthentication(new AnonymousAuthenticationToken("k", "anonymous",
					AuthorityUtils.createAuthorityList("ROLE_ANONYMOUS")));
		assertThat(resolve("X-User")).isNull();
	}

	@Test
	void thePrincipalWinsOverTheKeyHeader() {
		// Issue 13, item 13: any client could send the header and take another user's
		// key.
		this.request.addHeader("X-User", "user-42");
		SecurityContextHolder.getContext()
			.setAuthentication(UsernamePasswordAuthenticationToken.authenticated("alice", null, List.of()));
		assertThat(resolve("X-User")).isEqualTo("alice");
	}

	@Test
	void theKeyHeaderWinsOverThePrincipalWhenConfiguredTo() {
		this.request.addHeader("X-User", "user-42");
		SecurityContextHolder.getContext()
			.setAuthentication(UsernamePasswordAuthenticationToken.authenticated("alice", null, List.of()));
		assertThat(resolveHeaderFirst("X-User")).isEqualTo("user-42");
	}

	@Test
	void theKeyHeaderWinsOverTheSession() {
		this.request.getSession(true);
		this.request.addHeader("X-User", "user-42");
		assertThat(resolve("X-User")).isEqualTo("user-42");
	}

	@Test
	void aKeyHeaderLongerThanTheCapIsIgnoredAsIfAbsent() {
		// Issue 13, item 9: a client picked keys as long as the header limit.
		this.request.addHeader("X-User", "k".repeat(DefaultConsistencyKeyResolver.MAX_KEY_HEADER_LENGTH + 1));
		String id = this.request.getSession(true).getId();
		assertThat(resolve("X-User")).isEqualTo("session:" + id);
		assertThat(resolveHeaderFirst("X-User")).isEqualTo("session:" + id);
	}

	@Test
	void aKeyHeaderAtTheCapIsUsed() {
		String key = "k".repeat(DefaultConsistencyKeyResolver.MAX_KEY_HEADER_LENGTH);
		this.request.addHeader("X-User", key);
		assertThat(resolve("X-User")).isEqualTo(key);
	}

	@Test
	void theKeyHeaderIsIgnoredWhenNotConfigured() {
		this.request.addHeader("X-User", "user-42");
		assertThat(resolve(null)).isNull();
	}

	@Test
	void aKeySetInCodeWinsOverEverything() {
		this.request.addHeader("X-User", "user-42");
		ConsistencyKey.runWith("job", () -> assertThat(resolve("X-User")).isEqualTo("job"));
	}

}

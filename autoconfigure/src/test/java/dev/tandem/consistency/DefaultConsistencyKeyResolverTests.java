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
	void theKeyHeaderWinsOverThePrincipal() {
		this.request.addHeader("X-User", "user-42");
		SecurityContextHolder.getContext()
			.setAuthentication(UsernamePasswordAuthenticationToken.authenticated("alice", null, List.of()));
		assertThat(resolve("X-User")).isEqualTo("user-42");
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

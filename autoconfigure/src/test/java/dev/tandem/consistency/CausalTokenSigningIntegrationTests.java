package dev.tandem.consistency;

import java.net.URI;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

import dev.tandem.testkit.PostgresClusterExtension;
import dev.tandem.testkit.PostgresNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static dev.tandem.consistency.ThingsWebApp.Client.body;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Signed causal tokens over real HTTP on a real cluster whose standby does not replay:
 * the application's own tokens are honoured, forged, altered and plain ones are not.
 */
@SpringBootTest(classes = ThingsWebApp.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { ThingsWebApp.EXCLUDE,
				"tandem.consistency.token-secret=" + CausalTokenSigningIntegrationTests.SECRET,
				// Replay is paused while a test reads: with a lag limit, a read that must
				// not see the write would leave a standby whose last replayed commit (the
				// table's creation) is older than the limit when the application was slow
				// to start, as on a loaded machine.
				"tandem.reads.max-lag=0" })
class CausalTokenSigningIntegrationTests {

	static final String SECRET = "a-test-secret-of-more-than-16";

	@RegisterExtension
	static final PostgresClusterExtension cluster = PostgresClusterExtension.withStandbys(1);

	@Value("${local.server.port}")
	private int port;

	private ThingsWebApp.Client web;

	@DynamicPropertySource
	static void tandem(DynamicPropertyRegistry registry) {
		registry.add("tandem.url", cluster::libpqUrl);
	}

	@BeforeAll
	static void createTable() throws SQLException {
		try (Connection connection = cluster.cluster().primary().connect();
				Statement statement = connection.createStatement()) {
			statement.execute(ThingsWebApp.CREATE_TABLE);
		}
	}

	@BeforeEach
	void client() {
		this.web = new ThingsWebApp.Client(this.port);
		cluster.cluster().standbys().forEach(PostgresNode::pauseReplay);
	}

	@AfterEach
	void resume() {
		cluster.cluster().standbys().forEach(PostgresNode::resumeReplay);
	}

	@Test
	void aTokenTheApplicationIssuedIsHonoured() throws Exception {
		HttpResponse<String> created = this.web.send(this.web.post("/things"));
		String token = created.headers().firstValue("X-Read-After").orElseThrow();
		assertThat(token).matches("[0-9A-F]+/[0-9A-F]+\\.[A-Za-z0-9_-]{22}");
		assertThat(readWith("X-Read-After", token, id(created))).containsEntry("found", true)
			.containsEntry("standby", false);
	}

	@Test
	void aCookieTheApplicationIssuedIsHonoured() throws Exception {
		HttpResponse<String> posted = this.web.send(this.web.post("/form/things"));
		String setCookie = posted.headers().firstValue("Set-Cookie").orElseThrow();
		assertThat(setCookie).matches("tandem-read-after=[0-9A-F]+/[0-9A-F]+\\.[A-Za-z0-9_-]{22}; Path=/; "
				+ "Max-Age=10; Expires=[^;]+; HttpOnly; SameSite=Lax");
		String location = posted.headers().firstValue("Location").orElseThrow();
		Map<String, Object> page = body(this.web.send(this.web.get(URI.create(location).getPath())
			.header("Cookie", setCookie.substring(0, setCookie.indexOf(';')))));
		assertThat(page).containsEntry("found", true);
	}

	@Test
	void aPlainPositionIsIgnored() throws Exception {
		HttpResponse<String> created = this.web.send(this.web.post("/things"));
		String token = created.headers().firstValue("X-Read-After").orElseThrow();
		String plain = token.substring(0, token.indexOf('.'));
		assertThat(readWith("X-Read-After", plain, id(created))).containsEntry("found", false)
			.containsEntry("standby", true);
	}

	@Test
	void aForgedSignatureIsIgnored() throws Exception {
		HttpResponse<String> created = this.web.send(this.web.post("/things"));
		String token = created.headers().firstValue("X-Read-After").orElseThrow();
		String forged = token.substring(0, token.indexOf('.') + 1) + "AAAAAAAAAAAAAAAAAAAAAA";
		assertThat(readWith("X-Read-After", forged, id(created))).containsEntry("found", false)
			.containsEntry("standby", true);
	}

	@Test
	void aTokenWithAnAlteredPositionIsIgnored() throws Exception {
		HttpResponse<String> created = this.web.send(this.web.post("/things"));
		String token = created.headers().firstValue("X-Read-After").orElseThrow();
		String altered = "FFFFFFFF/FFFFFFFF" + token.substring(token.indexOf('.'));
		assertThat(readWith("X-Read-After", altered, id(created))).as("not read from the primary")
			.containsEntry("found", false)
			.containsEntry("standby", true);
	}

	@Test
	void anAlteredCookieIsIgnored() throws Exception {
		HttpResponse<String> created = this.web.send(this.web.post("/things"));
		String token = created.headers().firstValue("X-Read-After").orElseThrow();
		char last = token.charAt(token.length() - 1);
		String altered = token.substring(0, token.length() - 1) + ((last == 'A') ? 'B' : 'A');
		assertThat(readWith("Cookie", "tandem-read-after=" + altered, id(created))).containsEntry("found", false)
			.containsEntry("standby", true);
	}

	private Map<String, Object> readWith(String header, String value, long id) throws Exception {
		return body(this.web.send(this.web.get("/things/" + id).header(header, value)));
	}

	private static long id(HttpResponse<String> created) {
		return ((Number) body(created).get("id")).longValue();
	}

}

package dev.tandem.consistency;

import java.net.URI;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import dev.tandem.testkit.PostgresClusterExtension;
import dev.tandem.testkit.PostgresNode;
import dev.tandem.wal.Lsn;
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
 * The causal token over real HTTP on a real cluster whose standbys do not replay: a
 * header for API clients, a cookie for a post-redirect-get, with no key and no session.
 */
@SpringBootTest(classes = ThingsWebApp.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		// Replay is paused while a test reads: with a lag limit, a read without a token
		// would leave a standby whose last replayed commit is older than the limit when
		// the application was slow to start, as on a loaded machine.
		properties = { ThingsWebApp.EXCLUDE, "tandem.reads.max-lag=0" })
class CausalTokenIntegrationTests {

	@RegisterExtension
	static final PostgresClusterExtension cluster = PostgresClusterExtension.withStandbys(2);

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
	}

	@AfterEach
	void resume() {
		cluster.cluster().standbys().forEach(PostgresNode::resumeReplay);
	}

	private void pauseStandbys() {
		cluster.cluster().standbys().forEach(PostgresNode::pauseReplay);
	}

	@Test
	void anApiClientSendsTheHeaderItGotBackAndReadsItsWrite() throws Exception {
		pauseStandbys();
		HttpResponse<String> created = this.web.send(this.web.post("/things"));
		String token = created.headers().firstValue("X-Read-After").orElseThrow();
		assertThat(CausalTokens.parse(token)).isNotNull();
		long id = ((Number) body(created).get("id")).longValue();
		Map<String, Object> read = body(this.web.send(this.web.get("/things/" + id).header("X-Read-After", token)));
		assertThat(read).containsEntry("found", true).containsEntry("standby", false);
		Map<String, Object> withoutToken = body(this.web.send(this.web.get("/things/" + id)));
		assertThat(withoutToken).as("a standby without the write serves a read without token")
			.containsEntry("found", false)
			.containsEntry("standby", true);
	}

	@Test
	void aBrowserSeesWhatItsFormPostCreatedAfterTheRedirect() throws Exception {
		pauseStandbys();
		HttpResponse<String> posted = this.web.send(this.web.post("/form/things"));
		assertThat(posted.statusCode()).isEqualTo(303);
		String location = posted.headers().firstValue("Location").orElseThrow();
		String setCookie = posted.headers().firstValue("Set-Cookie").orElseThrow();
		assertThat(setCookie).matches(
				"tandem-read-after=[0-9A-F]+/[0-9A-F]+; Path=/; Max-Age=10; Expires=[^;]+; HttpOnly; SameSite=Lax");
		assertThat(posted.headers().allValues("Set-Cookie")).hasSize(1);
		String cookie = setCookie.substring(0, setCookie.indexOf(';'));
		Map<String, Object> page = body(
				this.web.send(this.web.get(URI.create(location).getPath()).header("Cookie", cookie)));
		assertThat(page).containsEntry("found", true);
		String value = cookie.substring(cookie.indexOf('=') + 1);
		Map<String, Object> quoted = body(this.web.send(
				this.web.get(URI.create(location).getPath()).header("Cookie", "tandem-read-after=\"" + value + "\"")));
		assertThat(quoted).containsEntry("found", true);
	}

	/**
	 * Each commit used to add a Set-Cookie header: some 65 commits passed Tomcat's 8 KB
	 * header limit and the request failed with a 500 after its work had committed.
	 */
	@Test
	void aRequestThatCommitsAHundredTimesGetsOneCookieAndOneHeaderWithItsLastCommit() throws Exception {
		HttpResponse<String> response = this.web.send(this.web.post("/things/batch/100"));
		Lsn after = primaryInsertPosition();
		assertThat(response.statusCode()).isEqualTo(200);
		List<String> tokens = response.headers().allValues("X-Read-After");
		assertThat(tokens).hasSize(1);
		List<String> cookies = response.headers().allValues("Set-Cookie");
		assertThat(cookies).singleElement()
			.asString()
			.matches("tandem-read-after=[0-9A-F]+/[0-9A-F]+; Path=/; Max-Age=10; Expires=[^;]+; HttpOnly; SameSite=Lax")
			.startsWith("tandem-read-after=" + tokens.get(0) + ";");
		Lsn token = CausalTokens.parse(tokens.get(0));
		Lsn lastBeforeCommit = Lsn.parse((String) body(response).get("lastPositionBeforeCommit"));
		assertThat(token).as("after the last transaction's insert, so its commit").isGreaterThan(lastBeforeCommit);
		assertThat(token).isLessThanOrEqualTo(after);
	}

	private static Lsn primaryInsertPosition() throws SQLException {
		try (Connection connection = cluster.cluster().primary().connect();
				Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
			result.next();
			return Lsn.parse(result.getString(1));
		}
	}

	@Test
	void aMalformedTokenIsIgnored() throws Exception {
		HttpResponse<String> response = this.web
			.send(this.web.get("/things/0").header("X-Read-After", "0/3000060; DROP TABLE thing"));
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(body(response)).containsEntry("standby", true);
		assertThat(response.headers().firstValue("X-Read-After")).isEmpty();
	}

	@Test
	void aTokenBeyondThePrimaryReadsFromThePrimaryWithoutWaiting() throws Exception {
		HttpResponse<String> response = this.web
			.send(this.web.get("/things/0").header("X-Read-After", "FFFFFFFF/FFFFFFFF"));
		assertThat(body(response)).containsEntry("standby", false);
	}

	@Test
	void aRequestThatDidNotWriteGetsNoToken() throws Exception {
		HttpResponse<String> response = this.web.send(this.web.get("/things/0"));
		assertThat(response.headers().firstValue("X-Read-After")).isEmpty();
		assertThat(response.headers().firstValue("Set-Cookie")).isEmpty();
	}

}

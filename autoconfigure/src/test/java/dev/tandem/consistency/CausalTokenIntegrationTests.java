package dev.tandem.consistency;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

import dev.tandem.testkit.PostgresClusterExtension;
import dev.tandem.testkit.PostgresNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The causal token over real HTTP on a real cluster whose standbys do not replay: a
 * header for API clients, a cookie for a post-redirect-get, with no key and no session.
 */
@SpringBootTest(classes = CausalTokenIntegrationTests.App.class,
		webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "spring.autoconfigure.exclude=org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration,"
				+ "org.springframework.boot.data.jpa.autoconfigure.DataJpaRepositoriesAutoConfiguration,"
				+ "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration,"
				+ "org.springframework.boot.liquibase.autoconfigure.LiquibaseAutoConfiguration")
class CausalTokenIntegrationTests {

	@RegisterExtension
	static final PostgresClusterExtension cluster = PostgresClusterExtension.withStandbys(2);

	private static final JsonMapper json = JsonMapper.builder().build();

	private final HttpClient http = HttpClient.newHttpClient();

	@Value("${local.server.port}")
	private int port;

	@DynamicPropertySource
	static void tandem(DynamicPropertyRegistry registry) {
		registry.add("tandem.url", cluster::libpqUrl);
	}

	@BeforeAll
	static void createTable() throws SQLException {
		try (Connection connection = cluster.cluster().primary().connect();
				Statement statement = connection.createStatement()) {
			statement.execute("CREATE TABLE thing (id bigserial PRIMARY KEY)");
		}
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
		HttpResponse<String> created = send(post("/things"));
		String token = created.headers().firstValue("X-Read-After").orElseThrow();
		assertThat(CausalTokens.parse(token)).isNotNull();
		long id = ((Number) body(created).get("id")).longValue();
		Map<String, Object> read = body(send(get("/things/" + id).header("X-Read-After", token)));
		assertThat(read).containsEntry("found", true).containsEntry("standby", false);
		Map<String, Object> withoutToken = body(send(get("/things/" + id)));
		assertThat(withoutToken).as("a standby without the write serves a read without token")
			.containsEntry("found", false)
			.containsEntry("standby", true);
	}

	@Test
	void aBrowserSeesWhatItsFormPostCreatedAfterTheRedirect() throws Exception {
		pauseStandbys();
		HttpResponse<String> posted = send(post("/form/things"));
		assertThat(posted.statusCode()).isEqualTo(303);
		String location = posted.headers().firstValue("Location").orElseThrow();
		String setCookie = posted.headers().firstValue("Set-Cookie").orElseThrow();
		assertThat(setCookie)
			.matches("tandem-read-after=[0-9A-F]+/[0-9A-F]+; Path=/; Max-Age=10; Expires=.*; HttpOnly; SameSite=Lax");
		String cookie = setCookie.substring(0, setCookie.indexOf(';'));
		Map<String, Object> page = body(send(get(URI.create(location).getPath()).header("Cookie", cookie)));
		assertThat(page).containsEntry("found", true);
		String value = cookie.substring(cookie.indexOf('=') + 1);
		Map<String, Object> quoted = body(
				send(get(URI.create(location).getPath()).header("Cookie", "tandem-read-after=\"" + value + "\"")));
		assertThat(quoted).containsEntry("found", true);
	}

	@Test
	void aMalformedTokenIsIgnored() throws Exception {
		HttpResponse<String> response = send(get("/things/0").header("X-Read-After", "0/3000060; DROP TABLE thing"));
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(body(response)).containsEntry("standby", true);
		assertThat(response.headers().firstValue("X-Read-After")).isEmpty();
	}

	@Test
	void aTokenBeyondThePrimaryReadsFromThePrimaryWithoutWaiting() throws Exception {
		HttpResponse<String> response = send(get("/things/0").header("X-Read-After", "FFFFFFFF/FFFFFFFF"));
		assertThat(body(response)).containsEntry("standby", false);
	}

	@Test
	void aRequestThatDidNotWriteGetsNoToken() throws Exception {
		HttpResponse<String> response = send(get("/things/0"));
		assertThat(response.headers().firstValue("X-Read-After")).isEmpty();
		assertThat(response.headers().firstValue("Set-Cookie")).isEmpty();
	}

	private HttpRequest.Builder get(String path) {
		return HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path)).GET();
	}

	private HttpRequest.Builder post(String path) {
		return HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
			.POST(HttpRequest.BodyPublishers.noBody());
	}

	private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> body(HttpResponse<String> response) {
		return json.readValue(response.body(), Map.class);
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@Import({ Things.class, ThingController.class })
	static class App {

	}

	@Service
	static class Things {

		private final JdbcTemplate jdbc;

		Things(JdbcTemplate jdbc) {
			this.jdbc = jdbc;
		}

		@Transactional
		public long create() {
			return this.jdbc.queryForObject("INSERT INTO thing DEFAULT VALUES RETURNING id", Long.class);
		}

		@Transactional(readOnly = true)
		public Map<String, Object> find(long id) {
			return this.jdbc.queryForMap(
					"SELECT EXISTS (SELECT 1 FROM thing WHERE id = ?) AS found, pg_is_in_recovery() AS standby", id);
		}

	}

	@RestController
	static class ThingController {

		private final Things things;

		ThingController(Things things) {
			this.things = things;
		}

		@PostMapping("/things")
		Map<String, Object> create() {
			return Map.of("id", this.things.create());
		}

		@PostMapping("/form/things")
		ResponseEntity<Void> createFromForm() {
			long id = this.things.create();
			return ResponseEntity.status(HttpStatus.SEE_OTHER).header("Location", "/things/" + id).build();
		}

		@GetMapping("/things/{id}")
		Map<String, Object> find(@PathVariable long id) {
			return this.things.find(id);
		}

	}

}

package dev.tandem.consistency;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A web application over table {@code thing (id bigserial PRIMARY KEY)} for tests of
 * causal tokens and markers over real HTTP: {@code POST /things} answers the new id,
 * {@code POST /form/things} redirects to it (post-redirect-get), {@code POST
 * /things/batch/{count}} creates that many in as many transactions and answers the WAL
 * insert position inside the last one, before its commit, and {@code GET /things/{id}}
 * says whether the serving node has the row, whether it is a standby and its port. Its
 * auto-configuration leaves out JPA, Flyway and Liquibase.
 */
public final class ThingsWebApp {

	/** For {@code @SpringBootTest(properties = ...)}: what the application leaves out. */
	public static final String EXCLUDE = "spring.autoconfigure.exclude="
			+ "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration,"
			+ "org.springframework.boot.data.jpa.autoconfigure.DataJpaRepositoriesAutoConfiguration,"
			+ "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration,"
			+ "org.springframework.boot.liquibase.autoconfigure.LiquibaseAutoConfiguration";

	/** Creates the table the application writes to. */
	public static final String CREATE_TABLE = "CREATE TABLE thing (id bigserial PRIMARY KEY)";

	private static final JsonMapper json = JsonMapper.builder().build();

	private ThingsWebApp() {
	}

	/**
	 * The application.
	 */
	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@Import({ Things.class, ThingController.class })
	public static class App {

	}

	/**
	 * Calls the application over HTTP on a port.
	 *
	 * @param port the application's port
	 */
	public record Client(int port) {

		private static final HttpClient http = HttpClient.newHttpClient();

		/**
		 * A GET of a path.
		 * @param path the path
		 * @return the request, to add headers to
		 */
		public HttpRequest.Builder get(String path) {
			return HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path)).GET();
		}

		/**
		 * A POST of a path, without a body.
		 * @param path the path
		 * @return the request, to add headers to
		 */
		public HttpRequest.Builder post(String path) {
			return HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
				.POST(HttpRequest.BodyPublishers.noBody());
		}

		/**
		 * Sends a request.
		 * @param request the request
		 * @return the response
		 * @throws IOException when sending fails
		 * @throws InterruptedException when interrupted
		 */
		public HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
			return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
		}

		/**
		 * The JSON body of a response.
		 * @param response the response
		 * @return the body as a map
		 */
		@SuppressWarnings("unchecked")
		public static Map<String, Object> body(HttpResponse<String> response) {
			return json.readValue(response.body(), Map.class);
		}

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

		@Transactional
		public String createAndTellPosition() {
			create();
			return this.jdbc.queryForObject("SELECT pg_current_wal_insert_lsn()::text", String.class);
		}

		@Transactional(readOnly = true)
		public Map<String, Object> find(long id) {
			return this.jdbc.queryForMap("SELECT EXISTS (SELECT 1 FROM thing WHERE id = ?) AS found, "
					+ "pg_is_in_recovery() AS standby, inet_server_port() AS port", id);
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

		@PostMapping("/things/batch/{count}")
		Map<String, Object> createMany(@PathVariable int count) {
			String position = "";
			for (int i = 0; i < count; i++) {
				position = this.things.createAndTellPosition();
			}
			return Map.of("lastPositionBeforeCommit", position);
		}

		@GetMapping("/things/{id}")
		Map<String, Object> find(@PathVariable long id) {
			return this.things.find(id);
		}

	}

}

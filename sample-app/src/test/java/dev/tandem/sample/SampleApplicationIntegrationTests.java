package dev.tandem.sample;

import java.time.Duration;
import java.util.Map;

import dev.tandem.testkit.PostgresClusterExtension;
import dev.tandem.testkit.PostgresNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample over real HTTP on an embedded primary and two standbys: a write is served by
 * the primary, reads by the standbys.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class SampleApplicationIntegrationTests {

	@RegisterExtension
	static final PostgresClusterExtension cluster = PostgresClusterExtension.withStandbys(2);

	private static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() {
	};

	@DynamicPropertySource
	static void tandem(DynamicPropertyRegistry registry) {
		registry.add("tandem.url", cluster::libpqUrl);
	}

	@Value("${local.server.port}")
	private int port;

	@Test
	void writeIsServedByThePrimaryAndReadsByStandbys() {
		RestClient http = RestClient.create("http://localhost:" + this.port);
		ResponseEntity<Map<String, Object>> created = http.post()
			.uri("/notes")
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("body", "hello from the sample"))
			.retrieve()
			.toEntity(JSON);
		assertThat(created.getStatusCode()).isEqualTo(HttpStatus.CREATED);
		assertThat(servedBy(created.getBody())).containsEntry("standby", false)
			.containsEntry("port", cluster.cluster().primary().port());

		cluster.cluster().awaitReplication(Duration.ofSeconds(10));
		Map<String, Object> note = map(created.getBody().get("note"));
		Map<String, Object> read = http.get().uri("/notes/{id}", note.get("id")).retrieve().body(JSON);
		assertThat(map(read.get("note"))).containsEntry("body", "hello from the sample");
		assertThat(servedBy(read)).containsEntry("standby", true);

		Map<String, Object> list = http.get().uri("/notes").retrieve().body(JSON);
		assertThat(servedBy(list)).containsEntry("standby", true);
		assertThat((Iterable<?>) list.get("notes")).isNotEmpty();
	}

	@Test
	void aReadWithTheWritersKeySeesTheWriteWhileStandbysLag() {
		RestClient http = RestClient.create("http://localhost:" + this.port);
		cluster.cluster().standbys().forEach(PostgresNode::pauseReplay);
		try {
			ResponseEntity<Map<String, Object>> created = http.post()
				.uri("/notes")
				.header("X-User", "alice")
				.contentType(MediaType.APPLICATION_JSON)
				.body(Map.of("body", "written while the standbys lag"))
				.retrieve()
				.toEntity(JSON);
			assertThat(created.getHeaders().getFirst("X-Read-After")).matches("[0-9A-F]+/[0-9A-F]+");
			Object id = map(created.getBody().get("note")).get("id");
			Map<String, Object> read = http.get()
				.uri("/notes/{id}", id)
				.header("X-User", "alice")
				.retrieve()
				.body(JSON);
			assertThat(map(read.get("note"))).containsEntry("body", "written while the standbys lag");
			assertThat(servedBy(read)).containsEntry("standby", false)
				.containsEntry("port", cluster.cluster().primary().port());
		}
		finally {
			cluster.cluster().standbys().forEach(PostgresNode::resumeReplay);
		}
		// Once the standbys are checked again, a caught-up standby serves the key's
		// reads.
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			ResponseEntity<Map<String, Object>> created = http.post()
				.uri("/notes")
				.header("X-User", "bob")
				.contentType(MediaType.APPLICATION_JSON)
				.body(Map.of("body", "written while the standbys keep up"))
				.retrieve()
				.toEntity(JSON);
			Object id = map(created.getBody().get("note")).get("id");
			Map<String, Object> read = http.get().uri("/notes/{id}", id).header("X-User", "bob").retrieve().body(JSON);
			assertThat(map(read.get("note"))).containsEntry("body", "written while the standbys keep up");
			assertThat(servedBy(read)).as("a standby that caught up").containsEntry("standby", true);
		});
	}

	@Test
	void aMalformedBodyIsABadRequestWithAMessage() {
		RestClient http = RestClient.create("http://localhost:" + this.port);
		for (String body : new String[] { "{\"body\": ", "{}", "null" }) {
			ResponseEntity<Map<String, Object>> answer = http.post()
				.uri("/notes")
				.contentType(MediaType.APPLICATION_JSON)
				.body(body)
				.retrieve()
				.onStatus(HttpStatusCode::isError, (request, response) -> {
				})
				.toEntity(JSON);
			assertThat(answer.getStatusCode()).as(body).isEqualTo(HttpStatus.BAD_REQUEST);
			assertThat(answer.getBody()).as(body).containsKey("error");
		}
	}

	@Test
	void actuatorShowsTheTopology() {
		RestClient http = RestClient.create("http://localhost:" + this.port);
		Map<String, Object> tandem = http.get().uri("/actuator/tandem").retrieve().body(JSON);
		assertThat(tandem).containsEntry("primary", "127.0.0.1:" + cluster.cluster().primary().port())
			.containsEntry("primaryDown", false);
		assertThat((Iterable<?>) tandem.get("nodes")).hasSize(3);
		Map<String, Object> health = http.get().uri("/actuator/health/tandem").retrieve().body(JSON);
		assertThat(health).containsEntry("status", "UP");
		assertThat(map(health.get("components"))).hasSize(3);
	}

	private static Map<String, Object> servedBy(Map<String, Object> body) {
		return map(body.get("servedBy"));
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> map(Object value) {
		return (Map<String, Object>) value;
	}

}

package dev.tandem.sample;

import java.time.Duration;
import java.util.Map;

import dev.tandem.testkit.PostgresClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

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

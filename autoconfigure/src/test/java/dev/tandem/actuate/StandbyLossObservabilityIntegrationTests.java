package dev.tandem.actuate;

import java.time.Duration;

import dev.tandem.testkit.PostgresClusterExtension;
import dev.tandem.testkit.PostgresNode;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A standby that stops shows in health, the endpoint and the meters. Destructive: a
 * cluster of its own.
 */
class StandbyLossObservabilityIntegrationTests {

	@RegisterExtension
	static final PostgresClusterExtension cluster = PostgresClusterExtension.withStandbys(2);

	@Test
	void lostStandbyIsADownComponentOutOfRotation() throws Exception {
		PostgresNode lost = cluster.cluster().node(2);
		PostgresNode kept = cluster.cluster().node(1);
		String component = "/actuator/health/tandem/127.0.0.1-" + lost.port();
		try (ActuatorApp app = ActuatorApp.start(cluster.libpqUrl(),
				"--management.endpoint.health.group.core.include=*",
				"--management.endpoint.health.group.core.exclude=tandem")) {
			MeterRegistry registry = app.bean(MeterRegistry.class);
			assertThat(app.get(component).body().get("status").stringValue()).isEqualTo("UP");
			assertThat(inRotation(registry, lost)).isOne();

			lost.stop();

			await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
				ActuatorApp.Response response = app.get(component);
				assertThat(response.status()).isEqualTo(503);
				assertThat(response.body().get("status").stringValue()).isEqualTo("DOWN");
				assertThat(response.body().at("/details/state").stringValue()).isEqualTo("unreachable");
				assertThat(inRotation(registry, lost)).isZero();
			});
			JsonNode details = app.get(component).body().get("details");
			assertThat(details.get("role").stringValue()).isEqualTo("unknown");
			assertThat(details.get("inRotation").booleanValue()).isFalse();
			assertThat(details.get("error").stringValue()).isNotBlank();
			assertThat(details.has("lagBytes")).isFalse();
			assertThat(details.has("lagSeconds")).isFalse();

			assertThat(registry.get(TandemMeters.NODE_LAG).tag(TandemMeters.NODE, node(lost)).gauge().value()).isNaN();
			assertThat(inRotation(registry, kept)).isOne();
			assertThat(registry.get(TandemMeters.READERS_IN_ROTATION).gauge().value()).isOne();

			ActuatorApp.Response tandem = app.get("/actuator/health/tandem");
			assertThat(tandem.status()).isEqualTo(503);
			assertThat(tandem.body().get("status").stringValue()).isEqualTo("DOWN");
			assertThat(tandem.body().at("/components/127.0.0.1-" + kept.port() + "/status").stringValue())
				.isEqualTo("UP");
			// The aggregate follows: a lost standby makes the application DOWN, while a
			// group without tandem stays UP (see the README).
			assertThat(app.get("/actuator/health").status()).isEqualTo(503);
			ActuatorApp.Response core = app.get("/actuator/health/core");
			assertThat(core.status()).isEqualTo(200);
			assertThat(core.body().get("status").stringValue()).isEqualTo("UP");

			JsonNode lostNode = app.get("/actuator/tandem").body().get("nodes").get(2);
			assertThat(lostNode.get("node").stringValue()).isEqualTo(node(lost));
			assertThat(lostNode.get("reachable").booleanValue()).isFalse();
			assertThat(lostNode.get("state").stringValue()).isEqualTo("unreachable");
			assertThat(lostNode.get("role").stringValue()).isEqualTo("unknown");
		}
	}

	private static double inRotation(MeterRegistry registry, PostgresNode node) {
		return registry.get(TandemMeters.NODE_IN_ROTATION).tag(TandemMeters.NODE, node(node)).gauge().value();
	}

	private static String node(PostgresNode node) {
		return "127.0.0.1:" + node.port();
	}

}

package dev.tandem.actuate;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.tandem.testkit.PostgresCluster;
import dev.tandem.testkit.PostgresClusterExtension;
import dev.tandem.testkit.PostgresNode;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Health, the {@code tandem} endpoint and the meters of a real web application over HTTP,
 * on a real primary with two standbys.
 */
class ObservabilityIntegrationTests {

	@RegisterExtension
	static final PostgresClusterExtension cluster = PostgresClusterExtension.withStandbys(2);

	private static final ListAppender<ILoggingEvent> startupLog = new ListAppender<>();

	private static final int WRITER_POOL_SIZE = 7;

	private static ActuatorApp app;

	@BeforeAll
	static void start() {
		Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
		startupLog.start();
		root.addAppender(startupLog);
		try {
			app = ActuatorApp.start(cluster.libpqUrl(), "--tandem.writer.hikari.maximum-pool-size=" + WRITER_POOL_SIZE);
		}
		finally {
			root.detachAppender(startupLog);
		}
	}

	@AfterAll
	static void stop() {
		if (app != null) {
			app.close();
		}
	}

	@Test
	void healthHasOneUpComponentPerNodeWithItsDetails() throws Exception {
		PostgresCluster nodes = cluster.cluster();
		// Lag in bytes is known once a standby is checked after the primary's first
		// check.
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			JsonNode components = app.get("/actuator/health/tandem").body().get("components");
			for (PostgresNode standby : nodes.standbys()) {
				assertThat(components.at("/127.0.0.1-" + standby.port() + "/details/lagBytes").isIntegralNumber())
					.isTrue();
			}
		});
		ActuatorApp.Response response = app.get("/actuator/health/tandem");
		assertThat(response.status()).isEqualTo(200);
		JsonNode health = response.body();
		assertThat(health.get("status").stringValue()).isEqualTo("UP");
		JsonNode components = health.get("components");
		assertThat(components.propertyNames()).containsExactlyInAnyOrderElementsOf(
				nodes.nodes().stream().map((node) -> "127.0.0.1-" + node.port()).toList());

		JsonNode primary = components.get("127.0.0.1-" + nodes.node(0).port());
		assertThat(primary.get("status").stringValue()).isEqualTo("UP");
		JsonNode primaryDetails = primary.get("details");
		assertThat(primaryDetails.get("role").stringValue()).isEqualTo("primary");
		assertThat(primaryDetails.get("state").stringValue()).isEqualTo("primary");
		assertThat(primaryDetails.get("inRotation").isBoolean()).isTrue();
		assertThat(primaryDetails.get("inRotation").booleanValue()).isFalse();
		assertThat(primaryDetails.get("walLsn").stringValue()).matches("[0-9A-F]+/[0-9A-F]+");
		assertThat(Instant.parse(primaryDetails.get("checkedAt").stringValue())).isBefore(Instant.now());
		assertThat(primaryDetails.has("lagBytes")).isFalse();
		assertThat(primaryDetails.has("lagSeconds")).isFalse();
		assertThat(primaryDetails.has("error")).isFalse();

		for (PostgresNode node : nodes.standbys()) {
			JsonNode standby = components.get("127.0.0.1-" + node.port());
			assertThat(standby.get("status").stringValue()).isEqualTo("UP");
			JsonNode details = standby.get("details");
			assertThat(details.get("role").stringValue()).isEqualTo("standby");
			assertThat(details.get("state").stringValue()).isEqualTo("in-rotation");
			assertThat(details.get("inRotation").booleanValue()).isTrue();
			assertThat(details.get("lagBytes").isIntegralNumber()).isTrue();
			assertThat(details.get("lagBytes").longValue()).isNotNegative();
			assertThat(details.get("lagSeconds").isNumber()).isTrue();
			assertThat(details.get("lagSeconds").doubleValue()).isNotNegative();
			assertThat(details.get("walLsn").stringValue()).matches("[0-9A-F]+/[0-9A-F]+");
			assertThat(details.get("checkedAt").isString()).isTrue();
			assertThat(details.has("error")).isFalse();
		}

		ActuatorApp.Response single = app.get("/actuator/health/tandem/127.0.0.1-" + nodes.node(2).port());
		assertThat(single.status()).isEqualTo(200);
		assertThat(single.body().get("status").stringValue()).isEqualTo("UP");
		assertThat(single.body().at("/details/role").stringValue()).isEqualTo("standby");
	}

	@Test
	void endpointDescribesSettingsTopologyAndPools() throws Exception {
		PostgresCluster nodes = cluster.cluster();
		ActuatorApp.Response response = app.get("/actuator/tandem");
		assertThat(response.status()).isEqualTo(200);
		JsonNode tandem = response.body();
		assertThat(tandem.get("readTarget").stringValue()).isEqualTo("prefer-standby");
		assertThat(tandem.get("balance").stringValue()).isEqualTo("round-robin");
		assertThat(tandem.get("maxLag").stringValue()).isEqualTo("5s");
		assertThat(tandem.has("maxLagBytes")).isFalse();
		assertThat(tandem.get("checkInterval").stringValue()).isEqualTo("1s");
		assertThat(tandem.get("primary").stringValue()).isEqualTo("127.0.0.1:" + nodes.primary().port());
		assertThat(tandem.get("primaryDown").isBoolean()).isTrue();
		assertThat(tandem.get("primaryDown").booleanValue()).isFalse();
		assertThat(Instant.parse(tandem.get("takenAt").stringValue())).isBefore(Instant.now());

		JsonNode list = tandem.get("nodes");
		assertThat(list.isArray()).isTrue();
		assertThat(list.size()).isEqualTo(3);
		for (int i = 0; i < 3; i++) {
			JsonNode node = list.get(i);
			boolean isPrimary = i == 0;
			assertThat(node.get("node").stringValue()).isEqualTo("127.0.0.1:" + nodes.node(i).port());
			assertThat(node.get("role").stringValue()).isEqualTo(isPrimary ? "primary" : "standby");
			assertThat(node.get("reachable").booleanValue()).isTrue();
			assertThat(node.get("state").stringValue()).isEqualTo(isPrimary ? "primary" : "in-rotation");
			assertThat(node.get("inRotation").booleanValue()).isEqualTo(!isPrimary);
			assertThat(node.get("walLsn").stringValue()).matches("[0-9A-F]+/[0-9A-F]+");
			assertThat(node.get("checkedAt").isString()).isTrue();
			assertThat(node.has("error")).isFalse();
			if (isPrimary) {
				assertThat(node.has("lagSeconds")).isFalse();
				assertThat(node.has("receiveLsn")).isFalse();
			}
			else {
				assertThat(node.get("lagSeconds").isNumber()).isTrue();
				assertThat(node.get("receiveLsn").stringValue()).matches("[0-9A-F]+/[0-9A-F]+");
			}
		}

		JsonNode writer = tandem.at("/pools/tandem-writer");
		assertThat(writer.isObject()).isTrue();
		for (String field : List.of("active", "idle", "total", "waiting")) {
			assertThat(writer.get(field).isIntegralNumber()).as(field).isTrue();
		}
		assertThat(writer.get("total").intValue())
			.isEqualTo(writer.get("active").intValue() + writer.get("idle").intValue());
	}

	@Test
	void readsAndWritesMoveTheirCountersAndEveryPoolReportsHikariMeters() throws Exception {
		MeterRegistry registry = app.bean(MeterRegistry.class);
		new JdbcTemplate(app.bean(DataSource.class)).execute("CREATE TABLE IF NOT EXISTS observed (id int)");
		double reads = decisions(registry, "standby", "standby");
		double writes = decisions(registry, "primary", "write");

		int readPort = transaction(true, "SELECT inet_server_port()");
		assertThat(readPort).isIn(cluster.cluster().standbys().stream().map(PostgresNode::port).toList());
		transaction(false, "INSERT INTO observed VALUES (1) RETURNING inet_server_port()");

		assertThat(decisions(registry, "standby", "standby")).isEqualTo(reads + 1);
		assertThat(decisions(registry, "primary", "write")).isEqualTo(writes + 1);
		String readerPool = "tandem-reader-127.0.0.1-" + readPort;
		assertThat(registry.find("hikaricp.connections").tag("pool", "tandem-writer").gauge()).isNotNull();
		assertThat(registry.find("hikaricp.connections").tag("pool", readerPool).gauge()).isNotNull();

		ActuatorApp.Response reader = app.get("/actuator/metrics/hikaricp.connections?tag=pool:" + readerPool);
		assertThat(reader.status()).isEqualTo(200);
		assertThat(reader.body().at("/measurements/0/value").doubleValue()).isPositive();
		ActuatorApp.Response standbyReads = app
			.get("/actuator/metrics/tandem.routing.decisions?tag=target:standby&tag=reason:standby");
		assertThat(standbyReads.status()).isEqualTo(200);
		assertThat(standbyReads.body().at("/measurements/0/value").doubleValue()).isGreaterThanOrEqualTo(1);
		assertThat(app.get("/actuator/tandem").body().at("/pools/" + readerPool + "/total").isIntegralNumber())
			.isTrue();
	}

	@Test
	void springBootsDbHealthTakesOneConnectionPerRoutingKey() throws Exception {
		MeterRegistry registry = app.bean(MeterRegistry.class);
		double reads = decisions(registry, "standby", "standby");
		double writes = decisions(registry, "primary", "write");
		ActuatorApp.Response health = app.get("/actuator/health");
		assertThat(health.status()).isEqualTo(200);
		assertThat(health.body().at("/components/db/components").propertyNames()).containsExactlyInAnyOrder("writer",
				"reader");
		assertThat(health.body().at("/components/tandem/status").stringValue()).isEqualTo("UP");
		// DataSourceHealthIndicator takes two connections: one for the product name, one
		// to validate.
		assertThat(decisions(registry, "standby", "standby")).isEqualTo(reads + 2);
		assertThat(decisions(registry, "primary", "write")).isEqualTo(writes + 2);
	}

	@Test
	void springBootsOwnPoolMetricsSeeTheWriterAndLogNoWarning() {
		List<String> warnings = new ArrayList<>();
		for (ILoggingEvent event : startupLog.list) {
			if (event.getLevel().isGreaterOrEqual(Level.WARN)) {
				warnings.add(event.getLoggerName() + ": " + event.getFormattedMessage());
			}
		}
		// Boot's Hikari binder unwraps the dataSource bean down to the writer pool, finds
		// Tandem's tracker already set and leaves it alone.
		assertThat(warnings).isEmpty();
		MeterRegistry registry = app.bean(MeterRegistry.class);
		assertThat(registry.get("hikaricp.connections.max").tag("pool", "tandem-writer").gauge().value())
			.isEqualTo(WRITER_POOL_SIZE);
		// Boot's jdbc.connections.* meters of the dataSource bean describe the writer
		// pool.
		assertThat(registry.get("jdbc.connections.max").tag("name", "dataSource").gauge().value())
			.isEqualTo(WRITER_POOL_SIZE);
	}

	private static double decisions(MeterRegistry registry, String target, String reason) {
		return registry.get(TandemMeters.ROUTING_DECISIONS)
			.tag(TandemMeters.TARGET, target)
			.tag(TandemMeters.REASON, reason)
			.counter()
			.count();
	}

	private static int transaction(boolean readOnly, String sql) {
		TransactionTemplate template = new TransactionTemplate(app.bean(PlatformTransactionManager.class));
		template.setReadOnly(readOnly);
		JdbcTemplate jdbc = new JdbcTemplate(app.bean(DataSource.class));
		Integer port = template.execute((status) -> jdbc.queryForObject(sql, Integer.class));
		assertThat(port).isNotNull();
		return port;
	}

}

package dev.tandem.consistency;

import java.net.URI;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.tandem.testkit.PostgresClusterExtension;
import dev.tandem.testkit.PostgresNode;
import dev.tandem.wal.Lsn;
import dev.tandem.topology.NodeStatus;
import dev.tandem.topology.TopologyMonitor;
import dev.tandem.topology.TopologySnapshot;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static dev.tandem.consistency.ThingsWebApp.Client.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Where reads with a causal token run, over real HTTP on a real cluster whose first
 * standby does not replay while the second does: a token of this instance's write is
 * served by the standby that caught up, as is, most of the time, a token of another
 * instance's write a moment ago; a token from the far future answers at once from the
 * primary. Each read asks the serving node for its port.
 */
class CausalTokenRoutingIntegrationTests {

	private static final Logger logger = LoggerFactory.getLogger(CausalTokenRoutingIntegrationTests.class);

	private static final int CYCLES = 100;

	@RegisterExtension
	static final PostgresClusterExtension cluster = PostgresClusterExtension.withStandbys(2);

	private static final List<ConfigurableApplicationContext> instances = new ArrayList<>();

	private static ThingsWebApp.Client first;

	private static ThingsWebApp.Client second;

	private static PostgresNode paused;

	private static PostgresNode caughtUp;

	@BeforeAll
	static void startTwoInstancesWithTheFirstStandbyPaused() throws Exception {
		try (Connection connection = cluster.cluster().primary().connect();
				Statement statement = connection.createStatement()) {
			statement.execute(ThingsWebApp.CREATE_TABLE);
		}
		first = new ThingsWebApp.Client(start());
		second = new ThingsWebApp.Client(start());
		paused = cluster.cluster().standbys().get(0);
		caughtUp = cluster.cluster().standbys().get(1);
		paused.pauseReplay();
		// Until both instances' topologies show the paused standby behind, a fresh write
		// looks equally far from both standbys.
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
			first.send(first.post("/things"));
			for (ConfigurableApplicationContext instance : instances) {
				TopologySnapshot snapshot = instance.getBean(TopologyMonitor.class).snapshot();
				assertThat(replayed(snapshot, caughtUp)).isGreaterThan(replayed(snapshot, paused));
			}
		});
	}

	@AfterAll
	static void stop() {
		instances.forEach(ConfigurableApplicationContext::close);
		cluster.cluster().standbys().forEach(PostgresNode::resumeReplay);
	}

	private static int start() {
		// No lag limit: the paused standby stays in rotation, so routing must tell the
		// two standbys apart by what they replayed. A long max-wait shows which reads
		// wait.
		ConfigurableApplicationContext context = new SpringApplicationBuilder(ThingsWebApp.App.class)
			.properties(Map.of("tandem.url", cluster.libpqUrl(), "server.port", "0", "tandem.reads.max-lag", "0",
					"tandem.consistency.max-wait", "2s", "spring.autoconfigure.exclude",
					ThingsWebApp.EXCLUDE.substring(ThingsWebApp.EXCLUDE.indexOf('=') + 1)))
			.run();
		instances.add(context);
		return context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
	}

	@Test
	void aBrowsersPostRedirectGetIsServedByTheStandbyThatCaughtUp() throws Exception {
		List<Map<String, Object>> pages = new ArrayList<>();
		for (int i = 0; i < CYCLES; i++) {
			HttpResponse<String> posted = first.send(first.post("/form/things"));
			String location = posted.headers().firstValue("Location").orElseThrow();
			String setCookie = posted.headers().firstValue("Set-Cookie").orElseThrow();
			String cookie = setCookie.substring(0, setCookie.indexOf(';'));
			pages.add(body(first.send(first.get(URI.create(location).getPath()).header("Cookie", cookie))));
		}
		assertNeverStaleMostlyOnTheCaughtUpStandby("cookie post-redirect-get", pages, 95);
	}

	@Test
	void anApiClientSendingTheHeaderItGotBackIsServedByTheStandbyThatCaughtUp() throws Exception {
		List<Map<String, Object>> reads = new ArrayList<>();
		for (int i = 0; i < CYCLES; i++) {
			reads.add(readThrough(first, first));
		}
		assertNeverStaleMostlyOnTheCaughtUpStandby("header", reads, 95);
	}

	@Test
	void aTokenOfAnotherInstancesWriteAMomentAgoIsNeverStaleAndMostlyServedByAStandby() throws Exception {
		List<Map<String, Object>> reads = new ArrayList<>();
		for (int i = 0; i < CYCLES; i++) {
			reads.add(readThrough(first, second));
		}
		assertNeverStaleMostlyOnTheCaughtUpStandby("cross-instance header", reads, 80);
	}

	@Test
	void aTokenFromTheFarFutureIsAnsweredAtOnceByThePrimary() throws Exception {
		for (ThingsWebApp.Client instance : List.of(first, second)) {
			long started = System.nanoTime();
			Map<String, Object> read = body(
					instance.send(instance.get("/things/0").header("X-Read-After", "FFFFFFFF/FFFFFFFF")));
			Duration took = Duration.ofNanos(System.nanoTime() - started);
			assertThat(took).as("well under max-wait (2s)").isLessThan(Duration.ofSeconds(1));
			assertThat(read).containsEntry("standby", false).containsEntry("port", cluster.cluster().primary().port());
		}
	}

	/**
	 * Creates a thing through one instance and reads it with its token through another.
	 */
	private static Map<String, Object> readThrough(ThingsWebApp.Client writer, ThingsWebApp.Client reader)
			throws Exception {
		HttpResponse<String> created = writer.send(writer.post("/things"));
		String token = created.headers().firstValue("X-Read-After").orElseThrow();
		long id = ((Number) body(created).get("id")).longValue();
		return body(reader.send(reader.get("/things/" + id).header("X-Read-After", token)));
	}

	private static void assertNeverStaleMostlyOnTheCaughtUpStandby(String what, List<Map<String, Object>> reads,
			int atLeast) {
		long onCaughtUp = reads.stream().filter((read) -> port(read) == caughtUp.port()).count();
		long onPrimary = reads.stream().filter((read) -> port(read) == cluster.cluster().primary().port()).count();
		logger.info("Causal token ({}): {} reads, {} on the caught-up standby, {} on the primary, {} found", what,
				reads.size(), onCaughtUp, onPrimary,
				reads.stream().filter((read) -> (boolean) read.get("found")).count());
		assertThat(reads).allSatisfy((read) -> assertThat(read).containsEntry("found", true));
		assertThat(onCaughtUp).isGreaterThanOrEqualTo(atLeast);
	}

	private static int port(Map<String, Object> read) {
		return ((Number) read.get("port")).intValue();
	}

	private static @Nullable Lsn replayed(TopologySnapshot snapshot, PostgresNode node) {
		return snapshot.inRotation()
			.stream()
			.filter((status) -> status.node().port() == node.port())
			.map(NodeStatus::walLsn)
			.findFirst()
			.orElse(null);
	}

}

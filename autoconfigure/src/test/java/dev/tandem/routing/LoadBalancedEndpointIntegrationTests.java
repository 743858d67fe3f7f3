package dev.tandem.routing;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import dev.tandem.actuate.TandemEndpoint;
import dev.tandem.actuate.TandemHealthContributor;
import dev.tandem.actuate.TandemMeters;
import dev.tandem.consistency.ThingsWebApp;
import dev.tandem.testkit.PostgresCluster;
import dev.tandem.testkit.PostgresClusterExtension;
import dev.tandem.testkit.PostgresNode;
import dev.tandem.testkit.TcpBalancer;
import dev.tandem.topology.NodeStatus;
import dev.tandem.topology.TopologyMonitor;
import dev.tandem.url.HostAndPort;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static dev.tandem.consistency.ThingsWebApp.Client.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A reader endpoint that is a round-robin TCP balancer over two standbys (as a
 * CloudNativePG {@code -ro} service, an Aurora reader endpoint or an HAProxy port would
 * be), with replay paused on one of them: every new connection may reach either server,
 * and the probe reaches only one. Reads are held to the server their connection reached.
 * Asks the serving server ({@code inet_server_port()}, {@code pg_is_in_recovery()}).
 * Figures are logged on lines starting with {@code ENDPOINT}.
 */
@SpringBootTest(classes = ThingsWebApp.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { ThingsWebApp.EXCLUDE, "tandem.consistency.store=memory", "tandem.consistency.key-header=X-User",
				"tandem.topology.check-interval=500ms", "management.endpoints.web.exposure.include=health,tandem" })
class LoadBalancedEndpointIntegrationTests {

	private static final Logger logger = LoggerFactory.getLogger(LoadBalancedEndpointIntegrationTests.class);

	/** How long after its write each read is made, as users measured it. */
	private static final Duration READ_AFTER = Duration.ofMillis(1500);

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static final int WRITES = 8;

	@RegisterExtension
	static final PostgresClusterExtension cluster = PostgresClusterExtension.withStandbys(2);

	private static TcpBalancer balancer;

	@Value("${local.server.port}")
	private int port;

	private ThingsWebApp.Client web;

	@Autowired
	private TopologyMonitor monitor;

	@Autowired
	private TandemEndpoint endpoint;

	@Autowired
	private TandemHealthContributor health;

	@Autowired
	private MeterRegistry meters;

	@DynamicPropertySource
	static void tandem(DynamicPropertyRegistry registry) {
		registry.add("tandem.writer.url", () -> cluster.cluster().primary().libpqUrl());
		registry.add("tandem.reader.url", () -> balancer().libpqUrl(cluster.cluster()));
	}

	private static synchronized TcpBalancer balancer() {
		if (balancer == null) {
			balancer = TcpBalancer.forNodes(cluster.cluster().standbys());
		}
		return balancer;
	}

	@BeforeAll
	static void createTable() throws SQLException {
		try (Connection connection = cluster.cluster().primary().connect();
				Statement statement = connection.createStatement()) {
			statement.execute(ThingsWebApp.CREATE_TABLE);
			statement.execute("CREATE TABLE event (id bigserial PRIMARY KEY, n int NOT NULL)");
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

	@AfterAll
	static void closeBalancer() {
		if (balancer != null) {
			balancer.close();
			balancer = null;
		}
	}

	@ParameterizedTest(name = "replay paused on standby {0}")
	@ValueSource(ints = { 0, 1 })
	void readsWithATokenOrAMarkerNeverMissTheirWriteWhicheverServerTheEndpointReaches(int paused) throws Exception {
		PostgresNode pausedNode = cluster.cluster().standbys().get(paused);
		PostgresNode runningNode = cluster.cluster().standbys().get(1 - paused);
		warmUp();
		pausedNode.pauseReplay();
		List<Read> reads = new ArrayList<>();
		for (int i = 0; i < WRITES; i++) {
			HttpResponse<String> api = this.web.send(this.web.post("/things"));
			String token = api.headers().firstValue("X-Read-After").orElseThrow();
			reads.add(new Read("header", id(api), this.web.get("/things/" + id(api)).header("X-Read-After", token)));
			HttpResponse<String> form = this.web.send(this.web.post("/form/things"));
			assertThat(form.statusCode()).isEqualTo(303);
			String setCookie = form.headers().firstValue("Set-Cookie").orElseThrow();
			String location = form.headers().firstValue("Location").orElseThrow();
			reads.add(new Read("cookie", Long.parseLong(location.substring(location.lastIndexOf('/') + 1)),
					this.web.get(location).header("Cookie", setCookie.substring(0, setCookie.indexOf(';')))));
			String user = "user-" + paused + "-" + i;
			HttpResponse<String> keyed = this.web.send(this.web.post("/things").header("X-User", user));
			reads.add(new Read("marker", id(keyed), this.web.get("/things/" + id(keyed)).header("X-User", user)));
		}
		// Each read comes 1.5 s after its write: the condition under test, not a wait.
		Thread.sleep(READ_AFTER.toMillis());
		Map<String, AtomicInteger> served = new ConcurrentHashMap<>();
		List<String> stale = new ArrayList<>();
		for (Read read : reads) {
			Map<String, Object> found = body(this.web.send(read.request()));
			int port = ((Number) found.get("port")).intValue();
			served
				.computeIfAbsent(
						port == pausedNode.port() ? "paused standby"
								: (port == runningNode.port()) ? "running standby" : "primary",
						(key) -> new AtomicInteger())
				.incrementAndGet();
			if (!Boolean.TRUE.equals(found.get("found"))) {
				stale.add(read.kind() + " read of " + read.id() + " on port " + port);
			}
		}
		logger.info(
				"ENDPOINT replay paused on standby {}: {} reads 1.5 s after their write ({} each by header, "
						+ "cookie and marker), served by {}, stale {}",
				paused, reads.size(), WRITES, served, stale.size());
		assertThat(stale).isEmpty();
		assertThat(served).doesNotContainKey("paused standby");
	}

	@Test
	void theTopologyHealthEndpointAndMetersShowTheServersSeenBehindTheEndpoint() throws Exception {
		HostAndPort endpoint = new HostAndPort(balancer().host(), balancer().port());
		List<Integer> standbyPorts = cluster.cluster().standbys().stream().map(PostgresNode::port).toList();
		await().atMost(WAIT).untilAsserted(() -> {
			warmUp();
			NodeStatus status = this.monitor.snapshot().node(endpoint).orElseThrow();
			assertThat(status.isEndpoint()).isTrue();
			assertThat(status.servers()).extracting((server) -> server.node().port())
				.containsExactlyInAnyOrderElementsOf(standbyPorts);
		});
		TandemEndpoint.NodeDescriptor described = this.endpoint.tandem()
			.nodes()
			.stream()
			.filter((node) -> node.node().equals(endpoint.toString()))
			.findFirst()
			.orElseThrow();
		assertThat(described.servers()).extracting(TandemEndpoint.NodeDescriptor::node)
			.containsExactlyInAnyOrderElementsOf(standbyPorts.stream().map((port) -> "127.0.0.1:" + port).toList());
		assertThat(described.servers()).allSatisfy((server) -> assertThat(server.state()).isEqualTo("in-rotation"));
		Health nodeHealth = ((HealthIndicator) this.health
			.getContributor(endpoint.host().replace(':', '_') + "-" + endpoint.port())).health();
		assertThat(nodeHealth.getDetails()).containsKey("servers");
		assertThat((Map<?, ?>) nodeHealth.getDetails().get("servers")).hasSize(2);
		for (int port : standbyPorts) {
			assertThat(this.meters.get(TandemMeters.SERVER_IN_ROTATION)
				.tag(TandemMeters.NODE, endpoint.toString())
				.tag(TandemMeters.SERVER, "127.0.0.1:" + port)
				.gauge()
				.value()).isEqualTo(1.0);
		}
	}

	@ParameterizedTest(name = "replay paused on standby {0}")
	@ValueSource(ints = { 0, 1 })
	void plainReadsSeeARowWrittenTwoAndAHalfSecondsEarlierWithAOneSecondLagLimit(int paused) throws Exception {
		PostgresCluster postgres = cluster.cluster();
		PostgresNode pausedNode = postgres.standbys().get(paused);
		PostgresNode runningNode = postgres.standbys().get(1 - paused);
		ClusterWork
			.runner(postgres.primary().libpqUrl(), "tandem.writer.url=" + postgres.primary().libpqUrl(),
					"tandem.reader.url=" + balancer().libpqUrl(postgres), "tandem.reads.max-lag=1s")
			.run((context) -> {
				ClusterWork.Work work = context.getBean(ClusterWork.Work.class);
				for (int i = 0; i < 20; i++) {
					work.read();
				}
				int base = 100_000 * (paused + 1);
				Map<Integer, Long> written = new ConcurrentHashMap<>();
				AtomicInteger next = new AtomicInteger(base);
				Load writes = new Load("writer", 1, Duration.ofMillis(20), () -> {
					int n = next.getAndIncrement();
					work.insert(n);
					written.put(n, System.nanoTime());
					return null;
				});
				int reads = 0;
				int onRunning = 0;
				List<Integer> stale = new ArrayList<>();
				try (writes) {
					// A row acknowledged before the pause, for the first read 2.5 s after
					// it: on a loaded machine the first write can take longer than the
					// pause.
					await().atMost(WAIT).until(() -> !written.isEmpty());
					pausedNode.pauseReplay();
					long pausedAt = System.nanoTime();
					long end = pausedAt + Duration.ofSeconds(5).toNanos();
					long readFrom = pausedAt + Duration.ofMillis(2500).toNanos();
					await().atMost(WAIT).until(() -> System.nanoTime() - readFrom >= 0);
					while (System.nanoTime() - end < 0) {
						long cutoff = System.nanoTime() - Duration.ofMillis(2500).toNanos();
						int row = written.entrySet()
							.stream()
							.filter((entry) -> entry.getValue() - cutoff <= 0)
							.mapToInt(Map.Entry::getKey)
							.max()
							.orElseThrow();
						int[] found = work.find(row);
						reads++;
						onRunning += (found[1] == runningNode.port()) ? 1 : 0;
						if (found[0] == 0) {
							stale.add(row);
						}
					}
				}
				logger.info(
						"ENDPOINT max-lag 1s, replay paused on standby {}: {} plain reads of rows written 2.5 s "
								+ "earlier, {} on the running standby, stale {}",
						paused, reads, onRunning, stale.size());
				assertThat(stale).isEmpty();
				assertThat(reads).isPositive();
			});
	}

	@Test
	void anEndpointWhoseProbeReachesALaggingServerServesPlainReadsFromItsOtherServer() throws Exception {
		PostgresCluster postgres = cluster.cluster();
		PostgresNode paused = postgres.standbys().get(0);
		PostgresNode running = postgres.standbys().get(1);
		AtomicInteger next = new AtomicInteger(900_000);
		// A balancer of its own, whose first connection (the probe's, at startup) reaches
		// the paused standby.
		try (Connection primary = postgres.primary().connect();
				Statement insert = primary.createStatement();
				TcpBalancer lagging = TcpBalancer.forNodes(paused, running);
				Load writes = new Load("writer", 1, Duration.ofMillis(20), () -> {
					try {
						insert.execute("INSERT INTO event (n) VALUES (" + next.getAndIncrement() + ")");
					}
					catch (SQLException ex) {
						throw new IllegalStateException(ex);
					}
					return null;
				})) {
			paused.pauseReplay();
			await().atMost(WAIT).until(() -> laggingFor(paused) > 1500);
			ClusterWork
				.runner(postgres.primary().libpqUrl(), "tandem.writer.url=" + postgres.primary().libpqUrl(),
						"tandem.reader.url=" + lagging.libpqUrl(postgres), "tandem.reads.max-lag=1s",
						"tandem.topology.check-interval=500ms")
				.run((context) -> {
					ClusterWork.Work work = context.getBean(ClusterWork.Work.class);
					long start = System.nanoTime();
					await().atMost(WAIT).until(() -> work.read().port() == running.port());
					long found = System.nanoTime();
					List<ServingNode> reads = new ArrayList<>();
					for (int i = 0; i < 20; i++) {
						reads.add(work.read());
					}
					logger.info(
							"ENDPOINT probe on the lagging server: first read on the running standby after {} ms, "
									+ "then {} of 20 on it",
							Duration.ofNanos(found - start).toMillis(),
							reads.stream().filter((read) -> read.port() == running.port()).count());
					assertThat(reads).allSatisfy((read) -> assertThat(read.port()).isNotEqualTo(paused.port()));
				});
		}
	}

	/** Milliseconds since the standby last replayed a commit. */
	private static long laggingFor(PostgresNode standby) throws SQLException {
		try (Connection connection = standby.connect();
				Statement statement = connection.createStatement();
				java.sql.ResultSet rs = statement.executeQuery(
						"SELECT extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp()) * 1000")) {
			rs.next();
			return rs.getLong(1);
		}
	}

	private void warmUp() throws Exception {
		for (int i = 0; i < 10; i++) {
			this.web.send(this.web.get("/things/0"));
		}
	}

	private static long id(HttpResponse<String> response) {
		return ((Number) body(response).get("id")).longValue();
	}

	private record Read(String kind, long id, HttpRequest.Builder request) {

	}

}

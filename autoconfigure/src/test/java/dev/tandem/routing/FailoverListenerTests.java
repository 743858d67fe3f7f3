package dev.tandem.routing;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import dev.tandem.pool.TandemPools;
import dev.tandem.topology.LagLimit;
import dev.tandem.wal.Lsn;
import dev.tandem.topology.NodeRole;
import dev.tandem.topology.NodeStatus;
import dev.tandem.topology.Rotation;
import dev.tandem.topology.TopologyMonitor;
import dev.tandem.url.ClusterSpec;
import dev.tandem.url.ClusterUrlParser;
import dev.tandem.url.HostAndPort;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link FailoverListener}: a real monitor whose probe answers what each test
 * says, and real pools over ports where nothing listens (no connection is ever made). The
 * monitor's interval is long, so that only the checks a test causes run.
 */
class FailoverListenerTests {

	private static final HostAndPort P = new HostAndPort("127.0.0.1", 1);

	private static final HostAndPort S1 = new HostAndPort("127.0.0.1", 2);

	private static final HostAndPort S2 = new HostAndPort("127.0.0.1", 3);

	private static final ClusterSpec SPEC = ClusterUrlParser.parse("tandem.url",
			"postgresql://app:secret@127.0.0.1:1,127.0.0.1:2,127.0.0.1:3/db");

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final Map<HostAndPort, Function<HostAndPort, NodeStatus>> answers = new ConcurrentHashMap<>();

	private final Map<HostAndPort, AtomicInteger> checks = new ConcurrentHashMap<>();

	private final TopologyMonitor monitor = new TopologyMonitor(List.of(P, S1, S2), Set.of(P, S1, S2), (node) -> {
		this.checks.computeIfAbsent(node, (key) -> new AtomicInteger()).incrementAndGet();
		return this.answers.get(node).apply(node);
	}, Duration.ofMinutes(1), LagLimit.NONE);

	private final FailoverListener listener = new FailoverListener(this.monitor);

	private final TandemPools pools = new TandemPools(SPEC, SPEC, (config) -> {
	}, (config) -> {
	}, this.listener);

	@AfterEach
	void close() {
		this.pools.close();
		this.monitor.close();
	}

	@Test
	void theWritersGateFollowsTheSnapshots() {
		this.answers.put(P, FailoverListenerTests::primary);
		this.answers.put(S1, FailoverListenerTests::standby);
		this.answers.put(S2, FailoverListenerTests::standby);
		this.monitor.start(WAIT);
		this.listener.attach(this.pools);
		assertThat(this.pools.primaryGate().isUp()).isTrue();
		this.answers.put(P, FailoverListenerTests::unreachable);
		this.monitor.requestCheckAll();
		await().atMost(WAIT).until(() -> !this.pools.primaryGate().isUp());
		assertThat(this.pools.primaryGate().reason()).contains("127.0.0.1:1 unreachable");
		this.answers.put(S1, FailoverListenerTests::primary);
		this.monitor.requestCheckAll();
		await().atMost(WAIT).until(() -> this.pools.primaryGate().isUp());
		assertThat(this.pools.primaryGate().reason()).isNull();
	}

	@Test
	void untilAttachedItLeavesThePoolsAlone() {
		this.answers.put(P, FailoverListenerTests::unreachable);
		this.answers.put(S1, FailoverListenerTests::unreachable);
		this.answers.put(S2, FailoverListenerTests::unreachable);
		this.monitor.start(WAIT);
		this.listener.snapshotPublished(this.monitor.snapshot());
		assertThat(this.monitor.snapshot().primaryDown()).isTrue();
		assertThat(this.pools.primaryGate().isUp()).isTrue();
		this.listener.attach(this.pools);
		assertThat(this.pools.primaryGate().isUp()).as("attached: hears the current snapshot").isFalse();
	}

	@Test
	void aReaderConnectionThatFailsMakesItsStandbySuspectAtOnce() throws Exception {
		this.answers.put(P, FailoverListenerTests::primary);
		this.answers.put(S1, FailoverListenerTests::standby);
		this.answers.put(S2, FailoverListenerTests::standby);
		this.monitor.start(WAIT);
		this.listener.attach(this.pools);
		CountDownLatch release = new CountDownLatch(1);
		// The check that follows the suspicion waits, so the suspicion is seen first.
		this.answers.put(S1, (node) -> {
			try {
				release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			return standby(node);
		});
		this.listener.readerFailed(S1, new SQLException("An I/O error occurred", "08006"));
		NodeStatus suspect = this.monitor.snapshot().node(S1).orElseThrow();
		assertThat(suspect.rotation()).isEqualTo(Rotation.SUSPECT);
		assertThat(suspect.error()).contains("An I/O error occurred (SQLState 08006)");
		release.countDown();
		await().atMost(WAIT)
			.until(() -> this.monitor.snapshot().node(S1).orElseThrow().rotation() == Rotation.IN_ROTATION);
	}

	@Test
	void aWriterConnectionFailureOrAReadOnlyRefusalChecksEveryNodeNow() {
		this.answers.put(P, FailoverListenerTests::primary);
		this.answers.put(S1, FailoverListenerTests::standby);
		this.answers.put(S2, FailoverListenerTests::standby);
		this.monitor.start(WAIT);
		this.listener.attach(this.pools);
		Map<HostAndPort, Integer> before = counts();
		this.listener.writerFailed(new SQLException("Connection refused", "08001"));
		await().atMost(WAIT).until(() -> checkedSince(before));
		Map<HostAndPort, Integer> again = counts();
		this.listener.writerReadOnly(new SQLException("cannot execute INSERT in a read-only transaction", "25006"));
		await().atMost(WAIT).until(() -> checkedSince(again));
	}

	private Map<HostAndPort, Integer> counts() {
		return Map.of(P, this.checks.get(P).get(), S1, this.checks.get(S1).get(), S2, this.checks.get(S2).get());
	}

	private boolean checkedSince(Map<HostAndPort, Integer> before) {
		return before.entrySet().stream().allMatch((entry) -> this.checks.get(entry.getKey()).get() > entry.getValue());
	}

	private static NodeStatus primary(HostAndPort node) {
		return NodeStatus.answered(node, NodeRole.PRIMARY, new Lsn(10_000), null, null, null);
	}

	private static NodeStatus standby(HostAndPort node) {
		return NodeStatus.answered(node, NodeRole.STANDBY, new Lsn(10_000), new Lsn(10_000), null, Duration.ZERO);
	}

	private static NodeStatus unreachable(HostAndPort node) {
		return NodeStatus.unreachable(node, "Connection refused");
	}

}

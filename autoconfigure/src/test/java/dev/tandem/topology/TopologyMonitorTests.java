package dev.tandem.topology;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import dev.tandem.url.HostAndPort;
import dev.tandem.wal.Lsn;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link TopologyMonitor}, over a scripted probe: what a check finds is set by
 * each test. The decisions alone are covered row by row in {@link NodeJudgeTests}; here
 * they are seen through the monitor's threads, suspicion and listeners. The behaviour
 * against real servers is covered by the integration tests.
 */
class TopologyMonitorTests {

	private static final HostAndPort P = new HostAndPort("p", 5432);

	private static final HostAndPort S1 = new HostAndPort("s1", 5432);

	private static final HostAndPort S2 = new HostAndPort("s2", 5432);

	private static final Duration INTERVAL = Duration.ofMillis(50);

	private static final Duration WAIT = Duration.ofSeconds(5);

	/**
	 * For the tests of servers behind an endpoint, which call the monitor themselves: no
	 * scheduled check comes between their calls.
	 */
	private static final Duration LONG_INTERVAL = Duration.ofSeconds(10);

	private static final LagLimit FIVE_SECONDS = new LagLimit(Duration.ofSeconds(5), null);

	/** Servers behind the endpoint S1, as they name themselves; its probe reaches A. */
	private static final HostAndPort A = new HostAndPort("10.0.0.1", 5432);

	private static final HostAndPort B = new HostAndPort("10.0.0.2", 5432);

	private static final HostAndPort C = new HostAndPort("10.0.0.3", 5432);

	private final Map<HostAndPort, Function<HostAndPort, NodeStatus>> answers = new ConcurrentHashMap<>();

	private final Map<HostAndPort, AtomicInteger> checks = new ConcurrentHashMap<>();

	private TopologyMonitor monitor;

	@AfterEach
	void close() {
		if (this.monitor != null) {
			this.monitor.close();
		}
	}

	private TopologyMonitor start(LagLimit limit, Set<HostAndPort> readers) {
		return start(limit, readers, INTERVAL);
	}

	private TopologyMonitor start(LagLimit limit, Set<HostAndPort> readers, Duration interval) {
		this.monitor = new TopologyMonitor(List.of(P, S1, S2), readers, (node) -> {
			this.checks.computeIfAbsent(node, (key) -> new AtomicInteger()).incrementAndGet();
			return this.answers.get(node).apply(node);
		}, interval, limit);
		this.monitor.start(WAIT);
		return this.monitor;
	}

	private void answer(HostAndPort node, Function<HostAndPort, NodeStatus> answer) {
		this.answers.put(node, answer);
	}

	private static NodeStatus primary(HostAndPort node) {
		return NodeStatus.answered(node, NodeRole.PRIMARY, new Lsn(10_000), null, null, null);
	}

	private static Function<HostAndPort, NodeStatus> standby(long replayed, Duration lag) {
		return (node) -> NodeStatus.answered(node, NodeRole.STANDBY, new Lsn(replayed), new Lsn(10_000), null, lag);
	}

	/** A standby answering through an endpoint, from the server named. */
	private static Function<HostAndPort, NodeStatus> standbyOn(HostAndPort server, long replayed, Duration lag) {
		return (node) -> standby(replayed, lag).apply(node).withServer(server, null);
	}

	/** What a read's check of S1 found on a connection that reached the server named. */
	private static NodeStatus serverCheck(HostAndPort server, long replayed, Duration lag, Instant checkedAt) {
		return new NodeStatus(S1, true, NodeRole.STANDBY, new Lsn(replayed), new Lsn(10_000), null, lag, null,
				Rotation.IN_ROTATION, checkedAt, null, server, null, List.of());
	}

	private NodeStatus serverChecked(HostAndPort server, long replayed, Duration lag) {
		return this.monitor.serverChecked(S1, serverCheck(server, replayed, lag, Instant.now()), Instant.now());
	}

	private NodeStatus endpoint() {
		return this.monitor.snapshot().node(S1).orElseThrow();
	}

	private TopologyMonitor startWithEndpoint(long probeReplayed) {
		answer(P, TopologyMonitorTests::primary);
		answer(S1, standbyOn(A, probeReplayed, Duration.ZERO));
		answer(S2, standby(10_000, Duration.ZERO));
		return start(FIVE_SECONDS, Set.of(P, S1, S2), LONG_INTERVAL);
	}

	private static Function<HostAndPort, NodeStatus> down() {
		return (node) -> NodeStatus.unreachable(node, "Connection refused");
	}

	/**
	 * A primary that keeps writing: its position grows by 100 every 5 ms until
	 * interrupted.
	 */
	private static Thread keepWriting(AtomicLong position) {
		Thread writes = new Thread(() -> {
			while (!Thread.currentThread().isInterrupted()) {
				position.addAndGet(100);
				java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
			}
		});
		writes.start();
		return writes;
	}

	private Rotation rotation(HostAndPort node) {
		return this.monitor.snapshot().node(node).orElseThrow().rotation();
	}

	@Test
	void healthyStandbysAreInRotationWithTheirLagInBytes() {
		answer(P, TopologyMonitorTests::primary);
		answer(S1, standby(9_000, Duration.ZERO));
		answer(S2, standby(10_000, Duration.ZERO));
		TopologySnapshot first = start(new LagLimit(Duration.ofSeconds(5), null), Set.of(P, S1, S2)).snapshot();
		assertThat(first.inRotation()).extracting(NodeStatus::node).containsExactly(S1, S2);
		assertThat(first.primary()).map(NodeStatus::rotation).contains(Rotation.PRIMARY);
		await().atMost(WAIT).untilAsserted(() -> {
			assertThat(this.monitor.snapshot().node(S1).orElseThrow().lagBytes()).isEqualTo(1_000L);
			assertThat(this.monitor.snapshot().node(S2).orElseThrow().lagBytes()).isZero();
		});
	}

	@Test
	void aLaggingStandbyLeavesAndComesBackOnlyWellUnderTheLimit() {
		answer(P, TopologyMonitorTests::primary);
		answer(S1, standby(10_000, Duration.ofSeconds(6)));
		answer(S2, standby(10_000, Duration.ZERO));
		start(new LagLimit(Duration.ofSeconds(5), null), Set.of(P, S1, S2));
		assertThat(rotation(S1)).isEqualTo(Rotation.LAGGING);
		answer(S1, standby(10_000, Duration.ofSeconds(3)));
		int seen = this.checks.get(S1).get();
		await().atMost(WAIT).until(() -> this.checks.get(S1).get() > seen + 2);
		assertThat(rotation(S1)).isEqualTo(Rotation.LAGGING);
		answer(S1, standby(10_000, Duration.ofSeconds(2)));
		await().atMost(WAIT).until(() -> rotation(S1) == Rotation.IN_ROTATION);
	}

	@Test
	void aStandbyThatStopsReceivingWhileThePrimaryMovesOnLeavesTheRotation() {
		AtomicLong primaryPosition = new AtomicLong(10_000);
		answer(P, (node) -> NodeStatus.answered(node, NodeRole.PRIMARY, new Lsn(primaryPosition.get()), null, null,
				null));
		// Receives and replays all the primary has: no lag.
		answer(S1, (node) -> NodeStatus.answered(node, NodeRole.STANDBY, new Lsn(primaryPosition.get()),
				new Lsn(primaryPosition.get()), null, Duration.ZERO));
		answer(S2, (node) -> NodeStatus.answered(node, NodeRole.STANDBY, new Lsn(primaryPosition.get()),
				new Lsn(primaryPosition.get()), null, Duration.ZERO));
		start(new LagLimit(Duration.ofMillis(300), null), Set.of(P, S1, S2));
		await().atMost(WAIT).until(() -> rotation(S1) == Rotation.IN_ROTATION && this.checks.get(S1).get() > 3);
		// Cut off: it has replayed all it received, so its replay lag reads zero, while
		// the primary keeps writing.
		long stuck = primaryPosition.get();
		answer(S1, (node) -> NodeStatus.answered(node, NodeRole.STANDBY, new Lsn(stuck), new Lsn(stuck), null,
				Duration.ZERO));
		Thread writes = keepWriting(primaryPosition);
		try {
			await().atMost(WAIT).until(() -> rotation(S1) == Rotation.LAGGING);
			assertThat(this.monitor.snapshot().node(S1).orElseThrow().replayLag())
				.isGreaterThan(Duration.ofMillis(300));
			assertThat(rotation(S2)).as("a standby that keeps receiving").isEqualTo(Rotation.IN_ROTATION);
		}
		finally {
			writes.interrupt();
		}
	}

	@Test
	void afterANewPrimaryAStandbysPositionIsTrustedOnlyOnceSeenReceiving() {
		answer(P, TopologyMonitorTests::primary);
		AtomicLong s1Received = new AtomicLong(10_000);
		answer(S1, (node) -> NodeStatus.answered(node, NodeRole.STANDBY, new Lsn(s1Received.get()),
				new Lsn(s1Received.get()), null, Duration.ZERO));
		answer(S2, standby(10_000, Duration.ZERO));
		start(LagLimit.NONE, Set.of(P, S1, S2));
		answer(P, down());
		answer(S2, TopologyMonitorTests::primary);
		await().atMost(WAIT).until(() -> this.monitor.snapshot().primary().map(NodeStatus::node).orElse(null) == S2);
		assertThat(rotation(S1)).isEqualTo(Rotation.UNCONFIRMED);
		int seen = this.checks.get(S1).get();
		await().atMost(WAIT).until(() -> this.checks.get(S1).get() > seen + 2);
		assertThat(rotation(S1)).as("stuck where it was").isEqualTo(Rotation.UNCONFIRMED);
		s1Received.addAndGet(100);
		await().atMost(WAIT).until(() -> rotation(S1) == Rotation.IN_ROTATION);
	}

	@Test
	void theLastOfTheOldPrimarysWalArrivingAfterThePromotionDoesNotConfirmAStandby() {
		answer(P, TopologyMonitorTests::primary);
		AtomicBoolean promoted = new AtomicBoolean();
		// S1 ends up with old-timeline WAL the new primary lacks; it shows in the checks
		// after S2 is seen as primary, and never grows again.
		answer(S1, (node) -> {
			long received = promoted.get() ? 10_500 : 10_000;
			return NodeStatus.answered(node, NodeRole.STANDBY, new Lsn(received), new Lsn(received), null,
					Duration.ZERO);
		});
		answer(S2, standby(10_000, Duration.ZERO));
		start(LagLimit.NONE, Set.of(P, S1, S2));
		answer(P, down());
		answer(S2, (node) -> {
			promoted.set(true);
			return primary(node);
		});
		await().atMost(WAIT).until(() -> this.monitor.snapshot().primary().map(NodeStatus::node).orElse(null) == S2);
		int seen = this.checks.get(S1).get();
		await().atMost(WAIT).until(() -> this.checks.get(S1).get() > seen + 3);
		assertThat(rotation(S1)).isEqualTo(Rotation.UNCONFIRMED);
	}

	@Test
	void afterANewPrimaryAStandbyNotSeenReceivingWithinTheLagLimitLags() {
		answer(P, TopologyMonitorTests::primary);
		answer(S1, standby(10_000, Duration.ZERO));
		answer(S2, standby(10_000, Duration.ZERO));
		start(new LagLimit(Duration.ofMillis(400), null), Set.of(P, S1, S2));
		answer(P, down());
		answer(S2, TopologyMonitorTests::primary);
		await().atMost(WAIT).until(() -> this.monitor.snapshot().primary().map(NodeStatus::node).orElse(null) == S2);
		assertThat(rotation(S1)).isEqualTo(Rotation.UNCONFIRMED);
		assertThat(this.monitor.snapshot().node(S1).orElseThrow().inRotation()).isTrue();
		await().atMost(WAIT).until(() -> rotation(S1) == Rotation.LAGGING);
	}

	@Test
	void aStandbyNeverSeenCaughtUpLeavesTheRotationOnceThePrimaryMovesOnPastTheLimit() {
		AtomicLong primaryPosition = new AtomicLong(10_000);
		answer(P, (node) -> NodeStatus.answered(node, NodeRole.PRIMARY, new Lsn(primaryPosition.get()), null, null,
				null));
		// Behind from the first check on, having replayed all it received.
		answer(S1, standby(9_000, Duration.ZERO));
		answer(S2, (node) -> NodeStatus.answered(node, NodeRole.STANDBY, new Lsn(primaryPosition.get()),
				new Lsn(primaryPosition.get()), null, Duration.ZERO));
		Thread writes = keepWriting(primaryPosition);
		try {
			start(new LagLimit(Duration.ofMillis(300), null), Set.of(P, S1, S2));
			await().atMost(WAIT).until(() -> rotation(S1) == Rotation.LAGGING);
			assertThat(rotation(S2)).isEqualTo(Rotation.IN_ROTATION);
		}
		finally {
			writes.interrupt();
		}
	}

	@Test
	void whileNoPrimaryIsReachableAStandbyBehindAnotherLeavesTheRotationUntilItFollowsANewPrimary() {
		answer(P, TopologyMonitorTests::primary);
		answer(S1, standby(10_000, Duration.ZERO));
		answer(S2, standby(10_000, Duration.ZERO));
		start(new LagLimit(Duration.ofMillis(300), null), Set.of(P, S1, S2));
		// The primary wrote more and died: S1 (the synchronous standby, say) received it
		// all, S2 did not and has replayed all it received, so its replay lag reads zero.
		answer(S1, (node) -> NodeStatus.answered(node, NodeRole.STANDBY, new Lsn(12_000), new Lsn(12_000), null,
				Duration.ZERO));
		answer(S2, (node) -> NodeStatus.answered(node, NodeRole.STANDBY, new Lsn(11_000), new Lsn(11_000), null,
				Duration.ZERO));
		answer(P, down());
		await().atMost(WAIT).until(() -> rotation(S2) == Rotation.LAGGING);
		assertThat(this.monitor.snapshot().primary()).isEmpty();
		assertThat(rotation(S1)).as("the standby with the furthest position").isEqualTo(Rotation.IN_ROTATION);
		// S1 promoted and writing; S2 follows it.
		AtomicLong position = new AtomicLong(12_500);
		answer(S1, (node) -> NodeStatus.answered(node, NodeRole.PRIMARY, new Lsn(position.addAndGet(100)), null, null,
				null));
		answer(S2, (node) -> NodeStatus.answered(node, NodeRole.STANDBY, new Lsn(position.get()),
				new Lsn(position.get()), null, Duration.ZERO));
		await().atMost(WAIT).until(() -> rotation(S2) == Rotation.IN_ROTATION);
	}

	@Test
	void aStandbyABitBehindAnotherBeforeThePrimaryIsFirstCheckedStaysInRotation() {
		// Startup: the primary answers its first check last. Until then no primary is
		// known, but it is not lost either: standbys a few bytes apart are both fine.
		AtomicBoolean slow = new AtomicBoolean(true);
		answer(P, (node) -> {
			if (slow.getAndSet(false)) {
				java.util.concurrent.locks.LockSupport.parkNanos(300_000_000);
			}
			return primary(node);
		});
		answer(S1, standby(10_000, Duration.ZERO));
		answer(S2, (node) -> NodeStatus.answered(node, NodeRole.STANDBY, new Lsn(9_990), new Lsn(9_990), null,
				Duration.ZERO));
		TopologySnapshot started = start(new LagLimit(Duration.ofSeconds(5), null), Set.of(P, S1, S2)).snapshot();
		assertThat(started.node(S2).orElseThrow().rotation()).isEqualTo(Rotation.IN_ROTATION);
	}

	@Test
	void whileNoPrimaryIsKnownNodesAreCheckedTenTimesAsOften() {
		// The delay the monitor schedules, not a count of checks against the wall clock,
		// which a loaded machine can hold up.
		assertThat(TopologyMonitor.checkDelayMillis(Duration.ofSeconds(1), true)).isEqualTo(1_000);
		assertThat(TopologyMonitor.checkDelayMillis(Duration.ofSeconds(1), false)).isEqualTo(100);
		assertThat(TopologyMonitor.checkDelayMillis(Duration.ofSeconds(10), false)).isEqualTo(1_000);
	}

	@Test
	void whileNoPrimaryIsKnownChecksAreNeverMoreOftenThanEveryFiftyMillisecondsNorRarerThanTheInterval() {
		assertThat(TopologyMonitor.checkDelayMillis(Duration.ofMillis(300), false)).isEqualTo(50);
		assertThat(TopologyMonitor.checkDelayMillis(Duration.ofMillis(20), false)).isEqualTo(20);
		assertThat(TopologyMonitor.checkDelayMillis(Duration.ofMillis(20), true)).isEqualTo(20);
	}

	@Test
	void aStandbyOnlyTheWriterListsNeverServesReads() {
		answer(P, TopologyMonitorTests::primary);
		answer(S1, standby(10_000, Duration.ZERO));
		answer(S2, standby(10_000, Duration.ZERO));
		start(LagLimit.NONE, Set.of(S2));
		assertThat(rotation(S1)).isEqualTo(Rotation.NOT_A_READER);
		assertThat(this.monitor.snapshot().inRotation()).extracting(NodeStatus::node).containsExactly(S2);
	}

	@Test
	void aSuspectStandbyLeavesAtOnceAndComesBackAfterAFreshCheck() throws Exception {
		answer(P, TopologyMonitorTests::primary);
		answer(S1, standby(10_000, Duration.ZERO));
		answer(S2, standby(10_000, Duration.ZERO));
		start(LagLimit.NONE, Set.of(P, S1, S2));
		CountDownLatch release = new CountDownLatch(1);
		// The next check of S1 blocks, so the suspicion is visible before it completes.
		answer(S1, (node) -> {
			try {
				release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			return standby(10_000, Duration.ZERO).apply(node);
		});
		this.monitor.suspect(S1, "I/O error (SQLState 08006)");
		assertThat(rotation(S1)).isEqualTo(Rotation.SUSPECT);
		assertThat(this.monitor.snapshot().node(S1).orElseThrow().error()).contains("08006");
		assertThat(this.monitor.snapshot().inRotation()).extracting(NodeStatus::node).containsExactly(S2);
		release.countDown();
		await().atMost(WAIT).until(() -> rotation(S1) == Rotation.IN_ROTATION);
	}

	@Test
	void aDeadStandbyIsCheckedByOneProbeAtATime() throws Exception {
		answer(P, TopologyMonitorTests::primary);
		answer(S2, standby(10_000, Duration.ZERO));
		AtomicInteger running = new AtomicInteger();
		AtomicInteger mostAtOnce = new AtomicInteger();
		answer(S1, (node) -> {
			mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
			try {
				Thread.sleep(INTERVAL.toMillis() * 3);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			running.decrementAndGet();
			return down().apply(node);
		});
		start(LagLimit.NONE, Set.of(P, S1, S2));
		for (int i = 0; i < 20; i++) {
			this.monitor.requestCheck(S1);
		}
		await().atMost(WAIT).until(() -> this.checks.get(S1).get() >= 4);
		assertThat(mostAtOnce.get()).isEqualTo(1);
		assertThat(rotation(S1)).isEqualTo(Rotation.UNREACHABLE);
		assertThat(this.monitor.snapshot().inRotation()).extracting(NodeStatus::node).containsExactly(S2);
	}

	@Test
	void rolesChangesAreHeardAcrossAnOutage() {
		answer(P, TopologyMonitorTests::primary);
		answer(S1, standby(10_000, Duration.ZERO));
		answer(S2, standby(10_000, Duration.ZERO));
		start(LagLimit.NONE, Set.of(P, S1, S2));
		List<String> changes = new CopyOnWriteArrayList<>();
		List<Boolean> primaryDown = new CopyOnWriteArrayList<>();
		this.monitor.addListener(new TopologyListener() {

			@Override
			public void snapshotPublished(TopologySnapshot snapshot) {
				primaryDown.add(snapshot.primaryDown());
			}

			@Override
			public void roleChanged(NodeStatus previous, NodeStatus current) {
				changes.add(current.node().host() + ":" + previous.role() + "->" + current.role());
			}

		});
		assertThat(primaryDown).containsExactly(false);
		answer(P, down());
		await().atMost(WAIT).until(() -> this.monitor.snapshot().primaryDown());
		answer(S1, TopologyMonitorTests::primary);
		await().atMost(WAIT).until(() -> changes.contains("s1:standby->primary"));
		// Back as a standby of the new primary, streaming from it.
		AtomicLong received = new AtomicLong(10_000);
		answer(P, (node) -> {
			long position = received.addAndGet(100);
			return NodeStatus.answered(node, NodeRole.STANDBY, new Lsn(position), new Lsn(position), null,
					Duration.ZERO);
		});
		await().atMost(WAIT).until(() -> changes.contains("p:primary->standby"));
		assertThat(changes).containsExactly("s1:standby->primary", "p:primary->standby");
		await().atMost(WAIT).until(() -> rotation(P) == Rotation.IN_ROTATION);
		assertThat(rotation(S1)).isEqualTo(Rotation.PRIMARY);
		assertThat(primaryDown).contains(true);
		assertThat(primaryDown.get(primaryDown.size() - 1)).isFalse();
	}

	@Test
	void aServerCheckThatReachesTheProbesServerIsTheNodesStatusAndMakesNoEndpoint() {
		startWithEndpoint(9_500);
		// Judged on its own, 6 s behind would lag: the node's status is taken instead.
		NodeStatus server = serverChecked(A, 9_000, Duration.ofSeconds(6));
		assertThat(server.node()).isEqualTo(A);
		assertThat(server.rotation()).isEqualTo(Rotation.IN_ROTATION);
		assertThat(server.walLsn()).isEqualTo(new Lsn(9_500));
		assertThat(endpoint().isEndpoint()).isFalse();
		assertThat(endpoint().servers()).isEmpty();
		assertThat(endpoint().rotation()).isEqualTo(Rotation.IN_ROTATION);
	}

	@Test
	void aServerCheckThatReachesAnotherServerMakesTheNodeAnEndpointOfBoth() {
		startWithEndpoint(9_500);
		NodeStatus server = serverChecked(B, 9_800, Duration.ZERO);
		assertThat(server.node()).isEqualTo(B);
		assertThat(server.rotation()).isEqualTo(Rotation.IN_ROTATION);
		assertThat(server.walLsn()).isEqualTo(new Lsn(9_800));
		assertThat(endpoint().isEndpoint()).isTrue();
		assertThat(endpoint().servers()).extracting(NodeStatus::node, NodeStatus::walLsn, NodeStatus::rotation)
			.containsExactly(tuple(A, new Lsn(9_500), Rotation.IN_ROTATION),
					tuple(B, new Lsn(9_800), Rotation.IN_ROTATION));
	}

	@Test
	void anEndpointStaysInRotationAtTheFurthestServerInRotationWhileAnotherServerLags() {
		startWithEndpoint(9_000);
		serverChecked(B, 9_800, Duration.ZERO);
		NodeStatus lagging = serverChecked(C, 10_000, Duration.ofSeconds(6));
		assertThat(lagging.rotation()).isEqualTo(Rotation.LAGGING);
		assertThat(endpoint().rotation()).isEqualTo(Rotation.IN_ROTATION);
		assertThat(endpoint().walLsn()).as("B's position: A is behind it, C lags").isEqualTo(new Lsn(9_800));
		assertThat(endpoint().server(C)).extracting(NodeStatus::rotation).isEqualTo(Rotation.LAGGING);
		assertThat(this.monitor.snapshot().inRotation()).extracting(NodeStatus::node).containsExactly(S1, S2);
	}

	@Test
	void whenEveryServerCheckedLatelyLagsTheEndpointLags() {
		startWithEndpoint(10_000);
		serverChecked(B, 10_000, Duration.ofSeconds(6));
		assertThat(endpoint().rotation()).as("A, from the probe, is in rotation").isEqualTo(Rotation.IN_ROTATION);
		// A read's connection reached A, now 6 s behind; the probe's last check of S1
		// still finds it in rotation.
		assertThat(serverChecked(A, 10_000, Duration.ofSeconds(6)).rotation()).isEqualTo(Rotation.LAGGING);
		assertThat(endpoint().rotation()).isEqualTo(Rotation.LAGGING);
		assertThat(endpoint().servers()).extracting(NodeStatus::rotation).containsOnly(Rotation.LAGGING);
		assertThat(this.monitor.snapshot().inRotation()).extracting(NodeStatus::node).containsExactly(S2);
	}

	@Test
	void serversCheckedLongerThanThreeIntervalsAgoDoNotCount() {
		startWithEndpoint(9_000);
		Instant old = Instant.now().minus(LONG_INTERVAL.multipliedBy(3)).minusSeconds(1);
		this.monitor.serverChecked(S1, serverCheck(B, 10_000, Duration.ZERO, old), old);
		assertThat(endpoint().server(B)).extracting(NodeStatus::rotation).isEqualTo(Rotation.IN_ROTATION);
		assertThat(endpoint().walLsn()).as("A's position, not B's").isEqualTo(new Lsn(9_000));
		serverChecked(A, 9_000, Duration.ofSeconds(6));
		assertThat(endpoint().rotation()).as("B, in rotation, was not checked lately").isEqualTo(Rotation.LAGGING);
	}

	@Test
	void aProbeCheckOfAnEndpointUpdatesTheProbesServerAndKeepsTheOthers() {
		startWithEndpoint(9_000);
		serverChecked(B, 9_500, Duration.ZERO);
		assertThat(endpoint().walLsn()).isEqualTo(new Lsn(9_500));
		answer(S1, standbyOn(A, 9_900, Duration.ZERO));
		this.monitor.requestCheck(S1);
		await().atMost(WAIT).until(() -> new Lsn(9_900).equals(endpoint().server(A).walLsn()));
		assertThat(endpoint().servers()).extracting(NodeStatus::node, NodeStatus::walLsn)
			.containsExactly(tuple(A, new Lsn(9_900)), tuple(B, new Lsn(9_500)));
		assertThat(endpoint().walLsn()).isEqualTo(new Lsn(9_900));
		assertThat(endpoint().rotation()).isEqualTo(Rotation.IN_ROTATION);
	}

}

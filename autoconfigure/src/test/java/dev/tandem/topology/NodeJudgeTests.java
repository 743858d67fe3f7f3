package dev.tandem.topology;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import dev.tandem.url.HostAndPort;
import dev.tandem.wal.Lsn;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static dev.tandem.topology.Rotation.IN_ROTATION;
import static dev.tandem.topology.Rotation.LAGGING;
import static dev.tandem.topology.Rotation.NOT_A_READER;
import static dev.tandem.topology.Rotation.PRIMARY;
import static dev.tandem.topology.Rotation.UNCONFIRMED;
import static dev.tandem.topology.Rotation.UNREACHABLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Tests for {@link NodeJudge}: one row per situation, a sequence of checks at given times
 * (in milliseconds) and the verdict each comes to. No threads, no cluster: the clock is
 * set to each check's time.
 */
class NodeJudgeTests {

	private static final HostAndPort P = new HostAndPort("p", 5432);

	private static final HostAndPort S1 = new HostAndPort("s1", 5432);

	private static final HostAndPort S2 = new HostAndPort("s2", 5432);

	private static final List<HostAndPort> NODES = List.of(P, S1, S2);

	/** Servers behind an endpoint, as they name themselves. */
	private static final HostAndPort A = new HostAndPort("10.0.0.1", 5432);

	private static final HostAndPort B = new HostAndPort("10.0.0.2", 5432);

	private static final Set<HostAndPort> ALL = Set.copyOf(NODES);

	/** A receive stall counts past two intervals: 100 ms. */
	private static final Duration INTERVAL = Duration.ofMillis(50);

	private static final Instant ORIGIN = Instant.parse("2026-01-01T00:00:00Z");

	private static final LagLimit FIVE_SECONDS = new LagLimit(Duration.ofSeconds(5), null);

	private static final LagLimit MILLIS_300 = new LagLimit(Duration.ofMillis(300), null);

	static Stream<Arguments> situations() {
		return Stream.of(
				situation("the primary is primary, with no lag of its own", FIVE_SECONDS, ALL,
						check(0, P, primary(10_000), PRIMARY).noLagBytes()),
				situation("a standby close behind the primary is in rotation, its lag counted in bytes", FIVE_SECONDS,
						ALL, check(0, P, primary(10_000), PRIMARY),
						check(10, S1, standby(9_000, 10_000, Duration.ZERO), IN_ROTATION).lagBytes(1_000)
							.lag(Duration.ZERO)),
				situation("a standby checked before any primary has no lag in bytes", FIVE_SECONDS, ALL,
						check(0, S1, standby(10_000), IN_ROTATION).noLagBytes()),
				situation("a standby at the limit is in rotation, a millisecond past it is lagging", FIVE_SECONDS, ALL,
						check(0, P, primary(10_000), PRIMARY),
						check(10, S1, standby(10_000, 10_000, Duration.ofSeconds(5)), IN_ROTATION),
						check(60, S1, standby(10_000, 10_000, Duration.ofMillis(5_001)), LAGGING)),
				situation("a lagging standby comes back only at half the limit", FIVE_SECONDS, ALL,
						check(0, P, primary(10_000), PRIMARY),
						check(10, S1, standby(10_000, 10_000, Duration.ofSeconds(6)), LAGGING),
						check(60, S1, standby(10_000, 10_000, Duration.ofSeconds(3)), LAGGING),
						check(110, S1, standby(10_000, 10_000, Duration.ofMillis(2_500)), IN_ROTATION)),
				situation("a lagging standby that was unreachable still comes back only at half the limit",
						FIVE_SECONDS, ALL, check(0, P, primary(10_000), PRIMARY),
						check(10, S1, standby(10_000, 10_000, Duration.ofSeconds(6)), LAGGING),
						check(60, S1, unreachable(), UNREACHABLE).noLagBytes(),
						check(110, S1, standby(10_000, 10_000, Duration.ofSeconds(3)), LAGGING)),
				situation("a standby further behind in bytes than the limit lags until at half of it",
						new LagLimit(Duration.ZERO, 1_000L), ALL, check(0, P, primary(10_000), PRIMARY),
						check(10, S1, standby(8_999, 10_000, Duration.ZERO), LAGGING).lagBytes(1_001),
						check(60, S1, standby(9_400, 10_000, Duration.ZERO), LAGGING).lagBytes(600),
						check(110, S1, standby(9_500, 10_000, Duration.ZERO), IN_ROTATION).lagBytes(500)),
				situation(
						"a standby that stopped receiving is not behind within two intervals, "
								+ "since nodes are checked at different times",
						MILLIS_300, ALL, check(0, P, primary(10_000), PRIMARY),
						check(10, S1, standby(10_000), IN_ROTATION).lag(Duration.ZERO),
						check(50, P, primary(11_000), PRIMARY),
						check(60, S1, standby(10_000), IN_ROTATION).lag(Duration.ZERO),
						check(100, P, primary(12_000), PRIMARY),
						check(110, S1, standby(10_000), IN_ROTATION).lag(Duration.ZERO)),
				situation(
						"a standby that stopped receiving while the primary moves on lags "
								+ "by the time since it last had all the primary had",
						MILLIS_300, ALL, check(0, P, primary(10_000), PRIMARY),
						check(10, S1, standby(10_000), IN_ROTATION), check(150, P, primary(11_000), PRIMARY),
						check(160, S1, standby(10_000), IN_ROTATION).lag(Duration.ofMillis(150)),
						check(300, P, primary(12_000), PRIMARY),
						check(320, S1, standby(10_000), LAGGING).lag(Duration.ofMillis(310))),
				situation("a standby that keeps receiving while the primary moves on stays in rotation", MILLIS_300,
						ALL, check(0, P, primary(10_000), PRIMARY), check(10, S1, standby(10_000), IN_ROTATION),
						check(150, P, primary(11_000), PRIMARY),
						check(160, S1, standby(11_000), IN_ROTATION).lag(Duration.ZERO),
						check(300, P, primary(12_000), PRIMARY),
						check(320, S1, standby(12_000), IN_ROTATION).lag(Duration.ZERO)),
				situation("a standby never seen caught up counts its stall from its first check", MILLIS_300, ALL,
						check(0, P, primary(10_000), PRIMARY),
						check(10, S1, standby(9_000), IN_ROTATION).lag(Duration.ZERO),
						check(400, P, primary(10_500), PRIMARY),
						check(410, S1, standby(9_000), LAGGING).lag(Duration.ofMillis(400)).lagBytes(1_500)),
				situation(
						"a standby's check that started before the primary's position was seen "
								+ "does not show it caught up",
						MILLIS_300, ALL, check(0, P, primary(10_000), PRIMARY),
						check(10, S1, standby(10_000), IN_ROTATION), check(200, P, primary(11_000), PRIMARY),
						check(210, S1, standby(11_000), IN_ROTATION).startedAt(190),
						check(380, P, primary(12_000), PRIMARY),
						check(390, S1, standby(11_000), LAGGING).lag(Duration.ofMillis(380))),
				situation(
						"a standby that restarted behind where it was lags from its last replayed commit "
								+ "at once, without the two intervals' allowance",
						MILLIS_300, ALL, check(0, P, primary(10_000), PRIMARY),
						check(10, S1, standbyRun(10_000, -5_000, 0), IN_ROTATION).lag(Duration.ZERO),
						check(50, P, primary(11_000), PRIMARY),
						check(60, S1, standbyRun(9_000, 40, -400), LAGGING).lag(Duration.ofMillis(460)),
						check(100, P, primary(11_500), PRIMARY),
						check(110, S1, standbyRun(11_500, 40, 95), IN_ROTATION).lag(Duration.ZERO),
						check(150, P, primary(12_000), PRIMARY),
						check(160, S1, standbyRun(11_500, 40, 95), IN_ROTATION).lag(Duration.ZERO)),
				situation(
						"a standby that restarted behind where it was, with no commit replayed since, lags "
								+ "from when its earlier run last had all the primary had",
						MILLIS_300, ALL, check(0, P, primary(10_000), PRIMARY),
						check(10, S1, standbyRun(10_000, -5_000, 0), IN_ROTATION),
						check(50, P, primary(11_000), PRIMARY),
						check(60, S1, standbyRun(9_000, 40, null), IN_ROTATION).lag(Duration.ofMillis(50)),
						check(400, S1, standbyRun(9_000, 40, null), LAGGING).lag(Duration.ofMillis(390))),
				situation("a standby that restarted with all the primary had stays in rotation", MILLIS_300, ALL,
						check(0, P, primary(10_000), PRIMARY),
						check(10, S1, standbyRun(10_000, -5_000, 0), IN_ROTATION),
						check(50, P, primary(10_000), PRIMARY),
						check(60, S1, standbyRun(10_000, 40, -400), IN_ROTATION).lag(Duration.ZERO)),
				situation("a standby only the writer lists is not a reader, however close or far behind", FIVE_SECONDS,
						Set.of(P, S2), check(0, P, primary(10_000), PRIMARY),
						check(10, S1, standby(10_000), NOT_A_READER).lagBytes(0),
						check(60, S1, standby(9_000, 10_000, Duration.ofSeconds(6)), NOT_A_READER).lagBytes(1_000)),
				situation("a standby whose check failed is unreachable until it answers again", FIVE_SECONDS, ALL,
						check(0, P, primary(10_000), PRIMARY), check(10, S1, unreachable(), UNREACHABLE).noLagBytes(),
						check(60, S1, standby(10_000), IN_ROTATION)),
				situation("after a new primary, a standby is unconfirmed until seen receiving past its base",
						LagLimit.NONE, ALL, check(0, P, primary(10_000), PRIMARY),
						check(10, S1, standby(10_000), IN_ROTATION), check(20, S2, standby(10_000), IN_ROTATION),
						check(100, P, unreachable(), UNREACHABLE), check(120, S2, primary(10_000), PRIMARY),
						stored(S1, UNCONFIRMED), check(130, S1, standby(10_000), UNCONFIRMED),
						check(180, S1, standby(10_000), UNCONFIRMED), check(230, S1, standby(10_100), IN_ROTATION)),
				// The first check after the change only takes the base: the last of the
				// old primary's WAL may have arrived since the previous check (873ee90).
				situation("after a new primary, a standby's first check only takes its base", LagLimit.NONE, ALL,
						check(0, P, primary(10_000), PRIMARY), check(10, S1, standby(10_000), IN_ROTATION),
						check(20, S2, standby(10_000), IN_ROTATION), check(100, P, unreachable(), UNREACHABLE),
						check(120, S2, primary(10_000), PRIMARY), check(130, S1, standby(10_500), UNCONFIRMED),
						check(180, S1, standby(10_500), UNCONFIRMED), check(230, S1, standby(10_600), IN_ROTATION)),
				situation("after a new primary, a check started before the change does not settle the base",
						LagLimit.NONE, ALL, check(0, P, primary(10_000), PRIMARY),
						check(10, S1, standby(10_000), IN_ROTATION), check(20, S2, standby(10_000), IN_ROTATION),
						check(100, P, unreachable(), UNREACHABLE), check(120, S2, primary(10_000), PRIMARY),
						check(140, S1, standby(10_500), UNCONFIRMED).startedAt(110),
						check(180, S1, standby(10_600), UNCONFIRMED), check(230, S1, standby(10_600), UNCONFIRMED),
						check(280, S1, standby(10_700), IN_ROTATION)),
				situation("after a new primary, a standby not seen receiving for longer than the limit lags",
						new LagLimit(Duration.ofMillis(400), null), ALL, check(0, P, primary(10_000), PRIMARY),
						check(10, S1, standby(10_000), IN_ROTATION), check(20, S2, standby(10_000), IN_ROTATION),
						check(100, P, unreachable(), UNREACHABLE), check(120, S2, primary(10_000), PRIMARY),
						check(130, S1, standby(10_000), UNCONFIRMED), check(500, S1, standby(10_000), UNCONFIRMED),
						check(530, S1, standby(10_000), LAGGING), check(580, S1, standby(10_100), IN_ROTATION)),
				situation(
						"with the primary lost, a standby that received less than another lags "
								+ "until it follows a new primary",
						MILLIS_300, ALL, check(0, P, primary(10_000), PRIMARY),
						check(10, S1, standby(10_000), IN_ROTATION), check(20, S2, standby(10_000), IN_ROTATION),
						check(100, P, unreachable(), UNREACHABLE),
						check(110, S1, standby(12_000), IN_ROTATION).noLagBytes(),
						check(120, S2, standby(11_000), LAGGING).noLagBytes().lag(Duration.ZERO),
						check(200, S1, primary(12_600), PRIMARY), stored(S2, LAGGING),
						check(250, S2, standby(12_600), UNCONFIRMED), check(300, S2, standby(12_700), IN_ROTATION)),
				situation("with the primary lost, a standby behind the last primary's position lags", MILLIS_300, ALL,
						check(0, P, primary(10_000), PRIMARY),
						check(10, S1, standby(9_000), IN_ROTATION).lagBytes(1_000),
						check(20, S2, standby(10_000), IN_ROTATION), check(100, P, unreachable(), UNREACHABLE),
						check(110, S1, standby(9_000), LAGGING).noLagBytes()),
				// Left behind only once the primary is known lost, not while its first
				// check is pending (8c426e8: a standby a few bytes behind lagged).
				situation(
						"at startup, a standby a bit behind another stays in rotation "
								+ "while the primary's first check is pending",
						FIVE_SECONDS, ALL, check(10, S1, standby(10_000), IN_ROTATION).noLagBytes(),
						check(20, S2, standby(9_990), IN_ROTATION).noLagBytes(),
						check(300, P, primary(10_000), PRIMARY),
						check(310, S2, standby(9_990), IN_ROTATION).lagBytes(10)),
				situation(
						"at startup with the primary unreachable, a standby behind another lags "
								+ "once every node was checked",
						FIVE_SECONDS, ALL, check(0, P, unreachable(), UNREACHABLE),
						check(10, S1, standby(10_000), IN_ROTATION),
						// Its own first check: not every node was checked before it.
						check(20, S2, standby(9_990), IN_ROTATION), check(70, S2, standby(9_990), LAGGING)),
				situation(
						"a server behind a reader endpoint lags on its own: "
								+ "another server and the endpoint's node stay in rotation",
						FIVE_SECONDS, ALL, check(0, P, primary(10_000), PRIMARY),
						check(10, S1, standby(10_000), IN_ROTATION),
						server(20, S1, A, standby(10_000, 10_000, Duration.ofSeconds(6)), LAGGING).lagBytes(0),
						server(30, S1, B, standby(10_000), IN_ROTATION),
						check(60, S1, standby(10_000, 10_000, Duration.ofSeconds(3)), IN_ROTATION),
						server(70, S1, B, standby(10_000, 10_000, Duration.ofSeconds(3)), IN_ROTATION),
						server(80, S1, A, standby(10_000, 10_000, Duration.ofSeconds(3)), LAGGING)),
				situation("a lagging server behind an endpoint comes back only at half the limit", FIVE_SECONDS, ALL,
						check(0, P, primary(10_000), PRIMARY),
						server(10, S1, A, standby(10_000, 10_000, Duration.ofSeconds(6)), LAGGING),
						server(60, S1, A, standby(10_000, 10_000, Duration.ofSeconds(3)), LAGGING),
						server(110, S1, A, standby(10_000, 10_000, Duration.ofMillis(2_500)), IN_ROTATION)),
				situation("a lagging endpoint's node does not hold back the servers behind it", FIVE_SECONDS, ALL,
						check(0, P, primary(10_000), PRIMARY),
						check(10, S1, standby(10_000, 10_000, Duration.ofSeconds(6)), LAGGING),
						server(20, S1, A, standby(10_000, 10_000, Duration.ofSeconds(3)), IN_ROTATION),
						check(60, S1, standby(10_000, 10_000, Duration.ofSeconds(3)), LAGGING)),
				situation("a server behind a node only the writer lists is not a reader, however close or far behind",
						FIVE_SECONDS, Set.of(P, S2), check(0, P, primary(10_000), PRIMARY),
						server(10, S1, A, standby(10_000), NOT_A_READER).lagBytes(0),
						server(60, S1, A, standby(9_000, 10_000, Duration.ofSeconds(6)), NOT_A_READER).lagBytes(1_000)),
				situation(
						"after a new primary, a server behind an endpoint is unconfirmed until seen receiving "
								+ "past its base",
						LagLimit.NONE, ALL, check(0, P, primary(10_000), PRIMARY),
						check(10, S1, standby(10_000), IN_ROTATION), server(15, S1, A, standby(10_000), IN_ROTATION),
						check(20, S2, standby(10_000), IN_ROTATION), check(100, P, unreachable(), UNREACHABLE),
						check(120, S2, primary(10_000), PRIMARY), server(130, S1, A, standby(10_000), UNCONFIRMED),
						server(180, S1, A, standby(10_000), UNCONFIRMED),
						server(230, S1, A, standby(10_100), IN_ROTATION)),
				situation("after a new primary, a server's first check only takes its base", LagLimit.NONE, ALL,
						check(0, P, primary(10_000), PRIMARY), check(10, S1, standby(10_000), IN_ROTATION),
						server(15, S1, A, standby(10_000), IN_ROTATION), check(20, S2, standby(10_000), IN_ROTATION),
						check(100, P, unreachable(), UNREACHABLE), check(120, S2, primary(10_000), PRIMARY),
						server(130, S1, A, standby(10_500), UNCONFIRMED),
						server(180, S1, A, standby(10_500), UNCONFIRMED),
						server(230, S1, A, standby(10_600), IN_ROTATION)),
				situation("a server first seen shortly after a new primary starts unconfirmed, as the nodes did",
						FIVE_SECONDS, ALL, check(0, P, primary(10_000), PRIMARY),
						check(10, S1, standby(10_000), IN_ROTATION), check(20, S2, standby(10_000), IN_ROTATION),
						check(100, P, unreachable(), UNREACHABLE), check(120, S2, primary(10_000), PRIMARY),
						server(130, S1, B, standby(10_500), UNCONFIRMED),
						server(180, S1, B, standby(10_500), UNCONFIRMED),
						server(230, S1, B, standby(10_600), IN_ROTATION)),
				situation("a server first seen long after a new primary is trusted at once", LagLimit.NONE, ALL,
						check(0, P, primary(10_000), PRIMARY), check(10, S1, standby(10_000), IN_ROTATION),
						check(20, S2, standby(10_000), IN_ROTATION), check(100, P, unreachable(), UNREACHABLE),
						check(120, S2, primary(10_000), PRIMARY), server(800, S1, B, standby(10_000), IN_ROTATION)));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("situations")
	void judgesEachCheckInTurn(String situation, LagLimit limit, Set<HostAndPort> readers, List<Step> steps) {
		Cluster cluster = new Cluster(limit, readers);
		for (Step step : steps) {
			if (step.answer() != null && step.endpoint() != null) {
				cluster.checkServer(step.at(), step.startedAt(), step.endpoint(), step.node(), step.answer());
			}
			else if (step.answer() != null) {
				cluster.check(step.at(), step.startedAt(), step.node(), step.answer());
			}
			NodeStatus status = ((step.endpoint() != null) ? cluster.servers : cluster.latest).get(step.node());
			assertThat(status.rotation()).as(step.toString()).isEqualTo(step.rotation());
			if (step.lag() != null) {
				assertThat(status.replayLag()).as("lag of " + step).isEqualTo(step.lag());
			}
			if (step.lagBytes() != null) {
				assertThat(status.lagBytes()).as("lag in bytes of " + step).isEqualTo(step.lagBytes());
			}
			if (step.lagBytesUnknown()) {
				assertThat(status.lagBytes()).as("lag in bytes of " + step).isNull();
			}
		}
	}

	@Test
	void aRoleChangeIsToldWithTheLastStatusInWhichTheNodeAnsweredAcrossAnOutage() {
		Cluster cluster = new Cluster(LagLimit.NONE, ALL);
		assertThat(cluster.check(0, P, primary(10_000)).roleChangedFrom()).as("first answer").isNull();
		assertThat(cluster.check(100, P, unreachable()).roleChangedFrom()).isNull();
		NodeJudge.Verdict back = cluster.check(200, P, standby(10_000));
		assertThat(back.roleChangedFrom()).extracting(NodeStatus::role, NodeStatus::checkedAt)
			.containsExactly(NodeRole.PRIMARY, ORIGIN);
		assertThat(back.unconfirmed()).isEmpty();
		assertThat(cluster.check(300, P, standby(10_000)).roleChangedFrom()).as("same role again").isNull();
	}

	@Test
	void aNewPrimaryTurnsTheOtherStandbysInRotationUnconfirmed() {
		Cluster cluster = new Cluster(LagLimit.NONE, ALL);
		cluster.check(0, P, primary(10_000));
		cluster.check(10, S1, standby(10_000));
		cluster.check(20, S2, standby(10_000));
		cluster.check(100, P, unreachable());
		NodeJudge.Verdict promoted = cluster.check(120, S2, primary(10_000));
		assertThat(promoted.status().rotation()).isEqualTo(PRIMARY);
		assertThat(promoted.roleChangedFrom()).extracting(NodeStatus::role).isEqualTo(NodeRole.STANDBY);
		assertThat(promoted.unconfirmed()).extracting(NodeStatus::node, NodeStatus::rotation)
			.containsExactly(tuple(S1, UNCONFIRMED));
	}

	@Test
	void aNodeOutsideTheClusterIsRejected() {
		Cluster cluster = new Cluster(LagLimit.NONE, ALL);
		HostAndPort stranger = new HostAndPort("elsewhere", 5432);
		assertThatIllegalArgumentException().isThrownBy(() -> cluster.check(0, stranger, standby(10_000)))
			.withMessageContaining("elsewhere:5432");
	}

	private static Arguments situation(String sentence, LagLimit limit, Set<HostAndPort> readers, Step... steps) {
		return Arguments.of(sentence, limit, readers, List.of(steps));
	}

	/** A check that finishes at {@code at} ms, and the rotation it comes to. */
	private static Step check(long at, HostAndPort node, Answer answer, Rotation rotation) {
		return new Step(at, at, null, node, answer, rotation, null, null, false);
	}

	/**
	 * A check, finished at {@code at} ms, of a server reached through an endpoint, and
	 * the rotation the server comes to.
	 */
	private static Step server(long at, HostAndPort endpoint, HostAndPort server, Answer answer, Rotation rotation) {
		return new Step(at, at, endpoint, server, answer, rotation, null, null, false);
	}

	/**
	 * No check: the status last stored for a node, such as one that a new primary made
	 * unconfirmed.
	 */
	private static Step stored(HostAndPort node, Rotation rotation) {
		return new Step(-1, -1, null, node, null, rotation, null, null, false);
	}

	private static Answer primary(long position) {
		return (node, checkedAt) -> new NodeStatus(node, true, NodeRole.PRIMARY, new Lsn(position), null, null, null,
				null, PRIMARY, checkedAt, null);
	}

	/** A standby that replayed all it received. */
	private static Answer standby(long position) {
		return standby(position, position, Duration.ZERO);
	}

	private static Answer standby(long replayed, long received, Duration replayLag) {
		return (node, checkedAt) -> new NodeStatus(node, true, NodeRole.STANDBY, new Lsn(replayed), new Lsn(received),
				null, replayLag, null, IN_ROTATION, checkedAt, null);
	}

	/**
	 * A standby that replayed all it received, on a run of its server started at
	 * {@code startedAt} ms, whose last replayed commit was at {@code committedAt} ms
	 * (none in this run when {@code null}).
	 */
	private static Answer standbyRun(long position, long startedAt, @Nullable Integer committedAt) {
		Instant committed = (committedAt != null) ? time(committedAt) : null;
		return (node, checkedAt) -> new NodeStatus(node, true, NodeRole.STANDBY, new Lsn(position), new Lsn(position),
				committed, Duration.ZERO, null, IN_ROTATION, checkedAt, null)
			.withServer(null, time(startedAt));
	}

	private static Answer unreachable() {
		return (node, checkedAt) -> new NodeStatus(node, false, NodeRole.UNKNOWN, null, null, null, null, null,
				UNREACHABLE, checkedAt, "Connection refused");
	}

	private static Instant time(long millis) {
		return ORIGIN.plusMillis(millis);
	}

	/** What a check of a node finds, when it finishes. */
	@FunctionalInterface
	interface Answer {

		NodeStatus at(HostAndPort node, Instant checkedAt);

	}

	/**
	 * One row's step: a check of a node, or of a server reached through the endpoint
	 * {@code endpoint} (or none, for {@link #stored}), and what its status must be after
	 * it; a {@code null} lag is not looked at.
	 */
	record Step(long at, long startedAt, @Nullable HostAndPort endpoint, HostAndPort node, @Nullable Answer answer,
			Rotation rotation, @Nullable Duration lag, @Nullable Long lagBytes, boolean lagBytesUnknown) {

		Step startedAt(long millis) {
			return new Step(this.at, millis, this.endpoint, this.node, this.answer, this.rotation, this.lag,
					this.lagBytes, this.lagBytesUnknown);
		}

		Step lag(Duration lag) {
			return new Step(this.at, this.startedAt, this.endpoint, this.node, this.answer, this.rotation, lag,
					this.lagBytes, this.lagBytesUnknown);
		}

		Step lagBytes(long bytes) {
			return new Step(this.at, this.startedAt, this.endpoint, this.node, this.answer, this.rotation, this.lag,
					bytes, this.lagBytesUnknown);
		}

		Step noLagBytes() {
			return new Step(this.at, this.startedAt, this.endpoint, this.node, this.answer, this.rotation, this.lag,
					this.lagBytes, true);
		}

		@Override
		public String toString() {
			if (this.answer == null) {
				return "status stored for " + this.node;
			}
			return ((this.endpoint != null) ? "server " + this.node + " behind " + this.endpoint : this.node)
					+ " checked at " + this.at + " ms"
					+ ((this.startedAt != this.at) ? " (started at " + this.startedAt + " ms)" : "");
		}

	}

	/** A judge, and the statuses stored as the monitor stores them. */
	private static final class Cluster {

		private final SettableClock clock = new SettableClock();

		private final NodeJudge judge;

		private final Map<HostAndPort, NodeStatus> latest = new LinkedHashMap<>();

		/** The latest verdict of each server seen behind an endpoint. */
		private final Map<HostAndPort, NodeStatus> servers = new LinkedHashMap<>();

		Cluster(LagLimit limit, Set<HostAndPort> readers) {
			this.judge = new NodeJudge(NODES, readers, INTERVAL, limit, this.clock);
			NODES.forEach((node) -> this.latest.put(node, NodeStatus.unchecked(node)));
		}

		NodeJudge.Verdict check(long at, HostAndPort node, Answer answer) {
			return check(at, at, node, answer);
		}

		NodeJudge.Verdict check(long at, long startedAt, HostAndPort node, Answer answer) {
			this.clock.now = time(at);
			TopologySnapshot current = new TopologySnapshot(List.copyOf(this.latest.values()), this.clock.now);
			NodeJudge.Verdict verdict = this.judge.judge(answer.at(node, time(at)), time(startedAt), current);
			this.latest.put(node, verdict.status());
			verdict.unconfirmed().forEach((status) -> this.latest.put(status.node(), status));
			return verdict;
		}

		void checkServer(long at, long startedAt, HostAndPort endpoint, HostAndPort server, Answer answer) {
			this.clock.now = time(at);
			TopologySnapshot current = new TopologySnapshot(List.copyOf(this.latest.values()), this.clock.now);
			this.servers.put(server,
					this.judge.judgeServer(endpoint, answer.at(server, time(at)), time(startedAt), current));
		}

	}

	private static final class SettableClock extends Clock {

		private Instant now = ORIGIN;

		@Override
		public Instant instant() {
			return this.now;
		}

		@Override
		public ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			throw new UnsupportedOperationException();
		}

	}

}

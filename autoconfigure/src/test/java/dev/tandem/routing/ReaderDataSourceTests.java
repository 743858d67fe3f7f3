package dev.tandem.routing;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;
import java.util.function.Supplier;

import javax.sql.DataSource;

import dev.tandem.consistency.ConsistencyMode;
import dev.tandem.consistency.MemoryMarkerStore;
import dev.tandem.consistency.ReadConsistency;
import dev.tandem.consistency.ReadRequirement;
import dev.tandem.pool.PoolFailureListener;
import dev.tandem.pool.PrimaryGate;
import dev.tandem.wal.Lsn;
import dev.tandem.topology.NodeRole;
import dev.tandem.topology.NodeStatus;
import dev.tandem.topology.Rotation;
import dev.tandem.topology.TopologySnapshot;
import dev.tandem.url.HostAndPort;
import dev.tandem.url.ReadTarget;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.datasource.AbstractDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Tests for the decisions of {@link ReaderDataSource}, over fake pools and hand-made
 * snapshots; reads on real clusters are covered by the integration tests.
 */
class ReaderDataSourceTests {

	private static final HostAndPort H1 = new HostAndPort("h1", 5432);

	private static final HostAndPort H2 = new HostAndPort("h2", 5432);

	private static final HostAndPort H3 = new HostAndPort("h3", 5432);

	private static final List<HostAndPort> ALL = List.of(H1, H2, H3);

	private static final String KEY = "alice";

	private static final Duration LONG_WAIT = Duration.ofSeconds(10);

	private static final Duration SHORT_WAIT = Duration.ofMillis(50);

	private static final String REPLAYED_QUERY = "SELECT pg_last_wal_replay_lsn() >= ?::pg_lsn";

	/** Servers, as they name themselves, behind the node H2. */
	private static final HostAndPort A = new HostAndPort("10.0.0.1", 5432);

	private static final HostAndPort B = new HostAndPort("10.0.0.2", 5432);

	private static final HostAndPort C = new HostAndPort("10.0.0.3", 5432);

	/** When the servers were started, unless a test restarts one. */
	private static final Instant STARTED = Instant.parse("2026-12-01T08:00:00Z");

	private final Map<HostAndPort, FakePool> pools = new HashMap<>();

	private final FakePool writerPool = new FakePool("writer");

	private final List<HostAndPort> failed = new ArrayList<>();

	private final List<ReadChoice> routed = new ArrayList<>();

	private final AtomicInteger lookups = new AtomicInteger();

	private final MemoryMarkerStore store = new MemoryMarkerStore();

	private TopologySnapshot topology = snapshot("pss");

	/** Judges servers behind endpoints; {@code null} takes every node for one server. */
	private @Nullable FakeServerChecks serverChecks;

	@Test
	void standbysServeReadsInTurn() throws SQLException {
		ReaderDataSource reader = reader(ReadTarget.PREFER_STANDBY, null);
		List<FakePool> served = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			served.add(servedBy(reader.getConnection()));
		}
		assertThat(served).containsExactly(pool(H2), pool(H3), pool(H2), pool(H3));
		assertThat(this.routed).extracting(ReadChoice::reason).containsOnly(ReadChoice.Reason.STANDBY);
		assertThat(this.failed).isEmpty();
	}

	@Test
	void aPoolThatGivesNoConnectionIsReportedAndTheNextStandbyServes() throws SQLException {
		pool(H2).refuses = true;
		ReaderDataSource reader = reader(ReadTarget.PREFER_STANDBY, null);
		assertThat(servedBy(reader.getConnection())).isSameAs(pool(H3));
		assertThat(this.failed).containsExactly(H2);
		assertThat(this.routed).containsExactly(new ReadChoice(H3, ReadChoice.Reason.STANDBY));
	}

	@Test
	void whenEveryStandbyFailsAndNoPrimaryIsKnownTheWriterServesReadOnly() throws SQLException {
		this.topology = snapshot("-ss");
		pool(H2).refuses = true;
		pool(H3).refuses = true;
		ReaderDataSource reader = reader(ReadTarget.PREFER_STANDBY, null);
		Connection connection = reader.getConnection();
		assertThat(servedBy(connection)).isSameAs(this.writerPool);
		assertThat(connection.isReadOnly()).isTrue();
		assertThat(this.failed).containsExactlyInAnyOrder(H2, H3);
		assertThat(this.routed).containsExactly(new ReadChoice(null, ReadChoice.Reason.NO_STANDBY));
	}

	@Test
	void whenEveryStandbyFailsAndTheTargetIsStandbyTheReadFails() {
		pool(H2).refuses = true;
		pool(H3).refuses = true;
		ReaderDataSource reader = reader(ReadTarget.STANDBY, null);
		assertThatExceptionOfType(NoStandbyAvailableException.class).isThrownBy(reader::getConnection);
		assertThat(this.failed).containsExactlyInAnyOrder(H2, H3);
		assertThat(this.routed).isEmpty();
	}

	@Test
	void aNodeThatFailsTwiceEndsTheReadWithItsFailure() {
		// No exclusion removes the primary, so a read that targets it would try it
		// forever.
		pool(H1).refuses = true;
		ReaderDataSource reader = reader(ReadTarget.PRIMARY, null);
		assertThatExceptionOfType(SQLException.class).isThrownBy(reader::getConnection)
			.withMessage("Connection to h1:5432 refused");
		assertThat(this.failed).containsExactly(H1, H1);
		assertThat(this.routed).isEmpty();
	}

	@Test
	void withoutReadYourWritesStandbysServeWithoutAReplayCheck() throws SQLException {
		ReaderDataSource reader = reader(ReadTarget.PREFER_STANDBY, null);
		assertThat(servedBy(reader.getConnection())).isSameAs(pool(H2));
		assertThat(this.routed).containsExactly(new ReadChoice(H2, ReadChoice.Reason.STANDBY));
		assertThat(pool(H2).polls).isZero();
	}

	@Test
	void aReadThatGoesToThePrimaryAnywayLooksUpNoRequirement() throws SQLException {
		// A marker store may be Redis: a round trip that the read does not need.
		ReaderDataSource reader = reader(ReadTarget.PRIMARY, consistency(ConsistencyMode.LSN, 500, LONG_WAIT));
		assertThat(servedBy(reader.getConnection())).isSameAs(pool(H1));
		assertThat(this.routed).containsExactly(new ReadChoice(H1, ReadChoice.Reason.TARGET));
		assertThat(this.lookups).hasValue(0);
	}

	@Test
	void theRequirementIsLookedUpOncePerReadWhateverFails() throws SQLException {
		this.topology = snapshot(primary(), standbyAt(H2, 150), standbyAt(H3, 50));
		pool(H2).refuses = true;
		ReaderDataSource reader = reader(ReadTarget.PREFER_STANDBY, consistency(ConsistencyMode.LSN, 100, LONG_WAIT));
		assertThat(servedBy(reader.getConnection())).isSameAs(pool(H3));
		assertThat(this.failed).containsExactly(H2);
		assertThat(pool(H3).polls).isEqualTo(1);
		assertThat(this.lookups).hasValue(1);
	}

	@Test
	void aStandbyThatTheSnapshotShowsHasReplayedTheWriteServesWithoutAReplayCheck() throws SQLException {
		this.topology = snapshot(primary(), standbyAt(H2, 150), standbyAt(H3, 50));
		ReaderDataSource reader = reader(ReadTarget.PREFER_STANDBY, consistency(ConsistencyMode.LSN, 100, LONG_WAIT));
		for (int i = 0; i < 3; i++) {
			assertThat(servedBy(reader.getConnection())).isSameAs(pool(H2));
		}
		assertThat(this.routed).containsOnly(new ReadChoice(H2, ReadChoice.Reason.CONSISTENT_STANDBY));
		assertThat(pool(H2).polls).isZero();
		assertThat(pool(H3).borrowed).isZero();
	}

	@Test
	void aStandbyThatRestartedSinceTheSnapshotShowedItHasReplayedTheWriteIsAskedOnTheConnection() throws SQLException {
		this.topology = snapshot(primary(), standbyAt(H2, 150));
		pool(H2).startedAt = STARTED.plusSeconds(30);
		pool(H2).replayed = (poll) -> false;
		ReaderDataSource reader = reader(ReadTarget.PREFER_STANDBY, consistency(ConsistencyMode.LSN, 100, SHORT_WAIT));
		Connection connection = reader.getConnection();
		assertThat(servedBy(connection)).isSameAs(pool(H1));
		assertThat(pool(H2).polls).isPositive();
		assertThat(pool(H2).queries).containsOnly(REPLAYED_QUERY);
		assertThat(pool(H2).handedOut).singleElement().satisfies((handedOut) -> assertThat(handedOut.closed).isTrue());
		assertThat(this.routed).containsExactly(new ReadChoice(H1, ReadChoice.Reason.CONSISTENCY_PRIMARY));
	}

	@Test
	void aStandbyThatRestartedSinceTheSnapshotServesOnceTheConnectionShowsItHasReplayedTheWrite() throws SQLException {
		this.topology = snapshot(primary(), standbyAt(H2, 150), standbyAt(H3, 50));
		pool(H2).startedAt = STARTED.plusSeconds(30);
		pool(H2).replayed = (poll) -> poll >= 2;
		ReaderDataSource reader = reader(ReadTarget.PREFER_STANDBY, consistency(ConsistencyMode.LSN, 100, LONG_WAIT));
		assertThat(servedBy(reader.getConnection())).isSameAs(pool(H2));
		assertThat(pool(H2).polls).isEqualTo(2);
		assertThat(this.routed).containsExactly(new ReadChoice(H2, ReadChoice.Reason.CONSISTENT_STANDBY));
	}

	@Test
	void aStandbyBehindTheWriteIsPolledOnTheBorrowedConnectionUntilItHasReplayedIt() throws SQLException {
		this.topology = snapshot(primary(), standbyAt(H2, 90), standbyAt(H3, 95));
		pool(H3).replayed = (poll) -> poll >= 3;
		ReaderDataSource reader = reader(ReadTarget.PREFER_STANDBY, consistency(ConsistencyMode.LSN, 100, LONG_WAIT));
		Connection connection = reader.getConnection();
		assertThat(servedBy(connection)).isSameAs(pool(H3));
		assertThat(fake(connection).closed).isFalse();
		assertThat(pool(H3).polls).isEqualTo(3);
		assertThat(pool(H3).queries).containsExactly("SELECT pg_last_wal_replay_lsn() >= ?::pg_lsn");
		assertThat(pool(H3).positions).containsExactly(new Lsn(100).toString());
		assertThat(pool(H2).borrowed).isZero();
		assertThat(this.routed).containsExactly(new ReadChoice(H3, ReadChoice.Reason.CONSISTENT_STANDBY));
	}

	@Test
	void aStandbyThatDoesNotCatchUpInTimeSendsTheReadToThePrimaryAndIsNotPolledAgainUntilItsNextCheck()
			throws SQLException {
		Instant firstCheck = Instant.parse("2025-01-01T00:00:00Z");
		this.topology = snapshot(primary(), standbyAt(H2, 90, firstCheck));
		pool(H2).replayed = (poll) -> false;
		ReaderDataSource reader = reader(ReadTarget.PREFER_STANDBY, consistency(ConsistencyMode.LSN, 100, SHORT_WAIT));
		assertThat(servedBy(reader.getConnection())).isSameAs(pool(H1));
		assertThat(pool(H2).polls).isPositive();
		assertThat(pool(H2).handedOut).singleElement()
			.satisfies((connection) -> assertThat(connection.closed).isTrue());
		int polls = pool(H2).polls;
		assertThat(servedBy(reader.getConnection())).isSameAs(pool(H1));
		assertThat(pool(H2).borrowed).isEqualTo(1);
		assertThat(pool(H2).polls).isEqualTo(polls);
		this.topology = snapshot(primary(), standbyAt(H2, 90, firstCheck.plusSeconds(1)));
		pool(H2).replayed = (poll) -> true;
		assertThat(servedBy(reader.getConnection())).isSameAs(pool(H2));
		assertThat(this.routed).containsExactly(new ReadChoice(H1, ReadChoice.Reason.CONSISTENCY_PRIMARY),
				new ReadChoice(H1, ReadChoice.Reason.CONSISTENCY_PRIMARY),
				new ReadChoice(H2, ReadChoice.Reason.CONSISTENT_STANDBY));
	}

	@Test
	void oneWaitCoversTheWholeRead() throws SQLException {
		this.topology = snapshot(primary(), standbyAt(H2, 90), standbyAt(H3, 95));
		pool(H2).replayed = (poll) -> false;
		pool(H3).replayed = (poll) -> false;
		ReaderDataSource reader = reader(ReadTarget.PREFER_STANDBY, consistency(ConsistencyMode.LSN, 100, SHORT_WAIT));
		assertThat(servedBy(reader.getConnection())).isSameAs(pool(H1));
		assertThat(pool(H3).polls).isPositive();
		assertThat(pool(H3).handedOut).singleElement()
			.satisfies((connection) -> assertThat(connection.closed).isTrue());
		// The wait was spent on the furthest standby: the next one is asked once, not
		// for a wait of its own.
		assertThat(pool(H2).polls).isEqualTo(1);
		assertThat(this.routed).containsExactly(new ReadChoice(H1, ReadChoice.Reason.CONSISTENCY_PRIMARY));
	}

	@Test
	void aPositionThePrimaryIsNotKnownToHaveReachedIsAskedOnceOfTheStandbyFurthestAheadThenThePrimaryServes()
			throws SQLException {
		// A forged far-future token must answer at once, however long the maximum wait.
		this.topology = snapshot(primary(), standbyAt(H2, 90), standbyAt(H3, 95));
		pool(H2).replayed = (poll) -> false;
		pool(H3).replayed = (poll) -> false;
		ReaderDataSource reader = reader(ReadTarget.PREFER_STANDBY, requiring(() -> ReadRequirement
			.replayedAlready(new Lsn(300), ReadRequirement.Source.CAUSAL_TOKEN, "causal token"), LONG_WAIT));
		long started = System.nanoTime();
		assertThat(servedBy(reader.getConnection())).isSameAs(pool(H1));
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
		assertThat(pool(H3).polls).isEqualTo(1);
		assertThat(pool(H3).handedOut).singleElement()
			.satisfies((connection) -> assertThat(connection.closed).isTrue());
		assertThat(pool(H2).borrowed).isZero();
		assertThat(this.routed).containsExactly(new ReadChoice(H1, ReadChoice.Reason.CONSISTENCY_PRIMARY));
	}

	@Test
	void aPositionThePrimaryIsNotKnownToHaveReachedIsServedByTheStandbyFurthestAheadWhenItHasReplayedIt()
			throws SQLException {
		// Another instance's write a moment ago: the standby furthest ahead usually has
		// it.
		this.topology = snapshot(primary(), standbyAt(H2, 90), standbyAt(H3, 95));
		ReaderDataSource reader = reader(ReadTarget.PREFER_STANDBY, requiring(() -> ReadRequirement
			.replayedAlready(new Lsn(300), ReadRequirement.Source.CAUSAL_TOKEN, "causal token"), LONG_WAIT));
		Connection connection = reader.getConnection();
		assertThat(servedBy(connection)).isSameAs(pool(H3));
		assertThat(fake(connection).closed).isFalse();
		assertThat(pool(H3).polls).isEqualTo(1);
		assertThat(this.routed).containsExactly(new ReadChoice(H3, ReadChoice.Reason.CONSISTENT_STANDBY));
	}

	@Test
	void aStandbyThatHadNotReplayedAPositionBeyondThePrimarysKnownOneIsStillWaitedOnForAKnownOne() throws SQLException {
		// Missing a write of a moment ago says nothing of a standby's lag.
		this.topology = snapshot(primary(), standbyAt(H2, 90));
		pool(H2).replayed = (poll) -> poll >= 3;
		AtomicReference<ReadRequirement> requirement = new AtomicReference<>(
				ReadRequirement.replayedAlready(new Lsn(300), ReadRequirement.Source.CAUSAL_TOKEN, "causal token"));
		ReaderDataSource reader = reader(ReadTarget.PREFER_STANDBY, requiring(requirement::get, LONG_WAIT));
		assertThat(servedBy(reader.getConnection())).isSameAs(pool(H1));
		assertThat(pool(H2).polls).isEqualTo(1);
		requirement.set(ReadRequirement.replayed(new Lsn(150), ReadRequirement.Source.MARKER, "recent write"));
		assertThat(servedBy(reader.getConnection())).isSameAs(pool(H2));
		assertThat(pool(H2).polls).isEqualTo(3);
	}

	@Test
	void aStandbyWhoseReplayCheckFailsIsReportedAndTheNextOneIsTried() throws SQLException {
		this.topology = snapshot(primary(), standbyAt(H2, 90), standbyAt(H3, 95));
		pool(H3).checkFails = true;
		ReaderDataSource reader = reader(ReadTarget.PREFER_STANDBY, consistency(ConsistencyMode.LSN, 100, LONG_WAIT));
		assertThat(servedBy(reader.getConnection())).isSameAs(pool(H2));
		assertThat(this.failed).containsExactly(H3);
		assertThat(pool(H3).handedOut).singleElement()
			.satisfies((connection) -> assertThat(connection.closed).isTrue());
		assertThat(this.routed).containsExactly(new ReadChoice(H2, ReadChoice.Reason.CONSISTENT_STANDBY));
	}

	@Test
	void aReadThatMustGoToThePrimaryIsServedByThePrimarysReaderPool() throws SQLException {
		ReaderDataSource reader = reader(ReadTarget.PREFER_STANDBY, consistency(ConsistencyMode.TTL, 100, LONG_WAIT));
		assertThat(servedBy(reader.getConnection())).isSameAs(pool(H1));
		assertThat(this.routed).containsExactly(new ReadChoice(H1, ReadChoice.Reason.CONSISTENCY_PRIMARY));
		assertThat(this.lookups).hasValue(1);
	}

	@Test
	void aReadThatMustGoToThePrimaryWhileNoneIsKnownIsServedReadOnlyByTheWriter() throws SQLException {
		this.topology = snapshot("-ss");
		ReaderDataSource reader = reader(ReadTarget.PREFER_STANDBY, consistency(ConsistencyMode.TTL, 100, LONG_WAIT));
		Connection connection = reader.getConnection();
		assertThat(servedBy(connection)).isSameAs(this.writerPool);
		assertThat(connection.isReadOnly()).isTrue();
		assertThat(this.routed).containsExactly(new ReadChoice(null, ReadChoice.Reason.CONSISTENCY_PRIMARY));
		assertThat(pool(H2).borrowed).isZero();
	}

	@Test
	void aNodeThatIsOneServerIsHeldToItsOwnStatusWithNoServerCheck() throws SQLException {
		this.serverChecks = new FakeServerChecks(Duration.ofMinutes(1));
		this.topology = snapshot(primary(), standbyAt(H2, 90).withServer(A, STARTED));
		pool(H2).servers = reaching(A);
		ReaderDataSource reader = reader(ReadTarget.PREFER_STANDBY, consistency(ConsistencyMode.LSN, 100, LONG_WAIT));
		Connection connection = reader.getConnection();
		assertThat(servedBy(connection)).isSameAs(pool(H2));
		assertThat(fake(connection).retired).isFalse();
		assertThat(pool(H2).queries).containsExactly(REPLAYED_QUERY);
		assertThat(this.serverChecks.checked).isEmpty();
		assertThat(this.routed).containsExactly(new ReadChoice(H2, ReadChoice.Reason.CONSISTENT_STANDBY));
	}

	@Test
	void anEndpointConnectionWhoseServerLagsIsRetiredAndThePoolsNextConnectionServes() throws SQLException {
		this.serverChecks = new FakeServerChecks(Duration.ofMinutes(1));
		Instant now = Instant.now();
		this.topology = snapshot(primary(),
				endpointAt(100, server(A, 100, Rotation.IN_ROTATION, now), server(B, 100, Rotation.LAGGING, now)));
		pool(H2).servers = reaching(B, A);
		ReaderDataSource reader = reader(ReadTarget.PREFER_STANDBY, null);
		Connection connection = reader.getConnection();
		assertThat(servedBy(connection)).isSameAs(pool(H2));
		assertThat(fake(connection).server).isEqualTo(A);
		assertThat(pool(H2).handedOut).extracting((handed) -> handed.server, (handed) -> handed.retired)
			.containsExactly(tuple(B, true), tuple(A, false));
		assertThat(this.serverChecks.checked).as("verdicts younger than the max age").isEmpty();
		assertThat(pool(H2).queries).isEmpty();
		assertThat(this.failed).isEmpty();
		assertThat(this.routed).containsExactly(new ReadChoice(H2, ReadChoice.Reason.STANDBY));
	}

	@Test
	void twoRetiredConnectionsOfAnEndpointMoveTheReadOnToAnotherStandby() throws SQLException {
		// Only H2 is known to have the write: each pass chooses it until it is left out.
		endpointWhoseConnectionsReachALaggingServer(150, standbyAt(H3, 90));
		ReaderDataSource reader = reader(ReadTarget.PREFER_STANDBY, consistency(ConsistencyMode.LSN, 100, LONG_WAIT));
		assertThat(servedBy(reader.getConnection())).isSameAs(pool(H3));
		assertThat(pool(H2).handedOut).hasSize(2).allSatisfy((handed) -> assertThat(handed.retired).isTrue());
		assertThat(pool(H2).polls).isZero();
		assertThat(this.failed).as("a retired connection is no failure of its node").isEmpty();
		assertThat(this.routed).containsExactly(new ReadChoice(H3, ReadChoice.Reason.CONSISTENT_STANDBY));
	}

	@Test
	void twoRetiredConnectionsOfTheOnlyStandbyMoveTheReadOnToThePrimary() throws SQLException {
		endpointWhoseConnectionsReachALaggingServer(100);
		ReaderDataSource reader = reader(ReadTarget.PREFER_STANDBY, null);
		assertThat(servedBy(reader.getConnection())).isSameAs(pool(H1));
		assertThat(pool(H2).handedOut).hasSize(2).allSatisfy((handed) -> assertThat(handed.retired).isTrue());
		assertThat(this.routed).containsExactly(new ReadChoice(H1, ReadChoice.Reason.NO_STANDBY));
	}

	@Test
	void twoRetiredConnectionsOfTheOnlyStandbyFailAReadThatTargetsStandbys() {
		endpointWhoseConnectionsReachALaggingServer(100);
		ReaderDataSource reader = reader(ReadTarget.STANDBY, null);
		assertThatExceptionOfType(NoStandbyAvailableException.class).isThrownBy(reader::getConnection);
		assertThat(pool(H2).handedOut).hasSize(2).allSatisfy((handed) -> assertThat(handed.retired).isTrue());
		assertThat(pool(H1).borrowed).isZero();
	}

	@Test
	void aServerVerdictOlderThanTheMaxAgeIsJudgedAgainFromACheckOnTheConnection() throws SQLException {
		this.serverChecks = new FakeServerChecks(Duration.ofSeconds(1));
		this.serverChecks.rotations.put(A, Rotation.LAGGING);
		Instant now = Instant.now();
		this.topology = snapshot(primary(), endpointAt(100, server(A, 100, Rotation.IN_ROTATION, now.minusSeconds(60)),
				server(B, 100, Rotation.IN_ROTATION, now)));
		pool(H2).servers = reaching(A, B);
		pool(H2).serverReplayed = 120;
		ReaderDataSource reader = reader(ReadTarget.PREFER_STANDBY, null);
		Connection connection = reader.getConnection();
		assertThat(fake(connection).server).isEqualTo(B);
		assertThat(pool(H2).handedOut).extracting((handed) -> handed.server, (handed) -> handed.retired)
			.containsExactly(tuple(A, true), tuple(B, false));
		assertThat(this.serverChecks.checked).singleElement().satisfies((checked) -> {
			assertThat(checked.node()).isEqualTo(H2);
			assertThat(checked.server()).isEqualTo(A);
			assertThat(checked.role()).isEqualTo(NodeRole.STANDBY);
			assertThat(checked.walLsn()).isEqualTo(new Lsn(120));
			assertThat(checked.replayLag()).isEqualTo(Duration.ZERO);
		});
		assertThat(pool(H2).queries).singleElement()
			.asString()
			.startsWith("SELECT pg_is_in_recovery()")
			.contains("inet_server_addr()");
	}

	@Test
	void aServerNotSeenBehindAnEndpointYetIsJudgedFromACheckOnTheConnection() throws SQLException {
		this.serverChecks = new FakeServerChecks(Duration.ofMinutes(1));
		Instant now = Instant.now();
		this.topology = snapshot(primary(),
				endpointAt(100, server(A, 100, Rotation.IN_ROTATION, now), server(B, 100, Rotation.IN_ROTATION, now)));
		pool(H2).servers = reaching(C);
		ReaderDataSource reader = reader(ReadTarget.PREFER_STANDBY, null);
		Connection connection = reader.getConnection();
		assertThat(fake(connection).server).isEqualTo(C);
		assertThat(fake(connection).retired).isFalse();
		assertThat(this.serverChecks.checked).singleElement().extracting(NodeStatus::server).isEqualTo(C);
	}

	@Test
	void aReadThatMustSeeAWriteRetiresAnEndpointConnectionWhoseServerLacksItAndTriesAnother() throws SQLException {
		this.serverChecks = new FakeServerChecks(Duration.ofMinutes(1));
		Instant now = Instant.now();
		this.topology = snapshot(primary(),
				endpointAt(150, server(A, 90, Rotation.IN_ROTATION, now), server(B, 150, Rotation.IN_ROTATION, now)));
		pool(H2).servers = reaching(A, B);
		pool(H2).replayed = (poll) -> false;
		ReaderDataSource reader = reader(ReadTarget.PREFER_STANDBY, consistency(ConsistencyMode.LSN, 100, SHORT_WAIT));
		Connection connection = reader.getConnection();
		assertThat(fake(connection).server).isEqualTo(B);
		assertThat(fake(connection).closed).isFalse();
		assertThat(pool(H2).handedOut).extracting((handed) -> handed.server, (handed) -> handed.retired)
			.containsExactly(tuple(A, true), tuple(B, false));
		assertThat(pool(H2).polls).as("A polled until the wait ran out; B known to have it").isPositive();
		assertThat(pool(H2).positions).containsOnly(new Lsn(100).toString());
		assertThat(this.routed).containsExactly(new ReadChoice(H2, ReadChoice.Reason.CONSISTENT_STANDBY));
	}

	@Test
	void anEndpointIsLeftBehindOnlyAfterTwoConnectionsReachedServersLackingTheWrite() throws SQLException {
		this.serverChecks = new FakeServerChecks(Duration.ofMinutes(1));
		Instant now = Instant.now();
		this.topology = snapshot(primary(),
				endpointAt(90, server(A, 90, Rotation.IN_ROTATION, now), server(C, 90, Rotation.IN_ROTATION, now)));
		pool(H2).servers = reaching(A, C);
		pool(H2).replayed = (poll) -> false;
		ReaderDataSource reader = reader(ReadTarget.PREFER_STANDBY, consistency(ConsistencyMode.LSN, 100, SHORT_WAIT));
		assertThat(servedBy(reader.getConnection())).isSameAs(pool(H1));
		assertThat(pool(H2).handedOut).extracting((handed) -> handed.server, (handed) -> handed.retired)
			.containsExactly(tuple(A, true), tuple(C, true));
		assertThat(pool(H2).polls).as("the second asked once: one wait for the whole read").isGreaterThan(1);
		assertThat(this.failed).isEmpty();
		// Left behind until its next check.
		assertThat(servedBy(reader.getConnection())).isSameAs(pool(H1));
		assertThat(pool(H2).borrowed).isEqualTo(2);
		assertThat(this.routed).containsExactly(new ReadChoice(H1, ReadChoice.Reason.CONSISTENCY_PRIMARY),
				new ReadChoice(H1, ReadChoice.Reason.CONSISTENCY_PRIMARY));
	}

	/**
	 * H2 an endpoint at the position given, whose probe's server A is in rotation but
	 * whose pool's connections all reach B, lagging; then the other nodes given.
	 */
	private void endpointWhoseConnectionsReachALaggingServer(long position, NodeStatus... others) {
		this.serverChecks = new FakeServerChecks(Duration.ofMinutes(1));
		Instant now = Instant.now();
		List<NodeStatus> nodes = new ArrayList<>(List.of(primary(), endpointAt(position,
				server(A, position, Rotation.IN_ROTATION, now), server(B, position, Rotation.LAGGING, now))));
		nodes.addAll(List.of(others));
		this.topology = snapshot(nodes.toArray(NodeStatus[]::new));
		pool(H2).servers = reaching(B);
	}

	private ReaderDataSource reader(ReadTarget target, @Nullable ReadConsistency consistency) {
		RoutingObserver observer = new RoutingObserver() {

			@Override
			public void readRouted(ReadChoice choice) {
				ReaderDataSourceTests.this.routed.add(choice);
			}

		};
		PoolFailureListener failures = new PoolFailureListener() {

			@Override
			public void readerFailed(HostAndPort node, SQLException failure) {
				ReaderDataSourceTests.this.failed.add(node);
			}

		};
		WriterDataSource writer = new WriterDataSource(this.writerPool, new PrimaryGate(), observer, null);
		ReaderPools pools = new ReaderPools() {

			@Override
			public DataSource reader(HostAndPort node) {
				return pool(node);
			}

			@Override
			public @Nullable HostAndPort server(HostAndPort node, Connection connection) {
				return fake(connection).server;
			}

			@Override
			public @Nullable Instant serverStartedAt(HostAndPort node, Connection connection) {
				return fake(connection).startedAt;
			}

			@Override
			public void retire(HostAndPort node, Connection connection) {
				FakeConnection fake = fake(connection);
				fake.retired = true;
				fake.closed = true;
			}

		};
		return new ReaderDataSource(pools, writer, new ReaderSelector(target, ReadBalance.ROUND_ROBIN, (node) -> 0),
				() -> this.topology, failures, observer, consistency, this.serverChecks);
	}

	/**
	 * Read-your-writes whose key has a marker at {@code marker}: in {@code lsn} mode a
	 * read must see it, in {@code ttl} mode it must go to the primary.
	 */
	private ReadConsistency consistency(ConsistencyMode mode, long marker, Duration maxWait) {
		this.store.record(KEY, new Lsn(marker), LONG_WAIT);
		return new ReadConsistency(mode, () -> {
			this.lookups.incrementAndGet();
			return KEY;
		}, this.store, LONG_WAIT, maxWait, () -> new Lsn(200));
	}

	/** Read-your-writes whose every read requires {@code requirement}. */
	private ReadConsistency requiring(Supplier<ReadRequirement> requirement, Duration maxWait) {
		return new ReadConsistency(ConsistencyMode.LSN, () -> KEY, this.store, LONG_WAIT, maxWait, () -> new Lsn(200)) {

			@Override
			public ReadRequirement requirement() {
				ReaderDataSourceTests.this.lookups.incrementAndGet();
				return requirement.get();
			}

		};
	}

	private FakePool pool(HostAndPort node) {
		return this.pools.computeIfAbsent(node, (key) -> new FakePool(key.toString()));
	}

	private static FakeConnection fake(Connection connection) {
		return (FakeConnection) Proxy.getInvocationHandler(connection);
	}

	private static FakePool servedBy(Connection connection) {
		return fake(connection).pool;
	}

	private static TopologySnapshot snapshot(String roles) {
		List<NodeStatus> nodes = new ArrayList<>();
		for (int i = 0; i < roles.length(); i++) {
			HostAndPort node = ALL.get(i);
			nodes.add(switch (roles.charAt(i)) {
				case 'p' -> NodeStatus.answered(node, NodeRole.PRIMARY, new Lsn(100), null, null, Duration.ZERO);
				case 's' -> NodeStatus.answered(node, NodeRole.STANDBY, new Lsn(100), null, null, Duration.ZERO);
				default -> NodeStatus.unreachable(node, "connection refused");
			});
		}
		return new TopologySnapshot(nodes, Instant.now());
	}

	private static TopologySnapshot snapshot(NodeStatus... nodes) {
		return new TopologySnapshot(List.of(nodes), Instant.now());
	}

	private static NodeStatus primary() {
		return NodeStatus.answered(H1, NodeRole.PRIMARY, new Lsn(200), null, null, Duration.ZERO);
	}

	private static NodeStatus standbyAt(HostAndPort node, long replayed) {
		return standbyAt(node, replayed, Instant.now());
	}

	private static NodeStatus standbyAt(HostAndPort node, long replayed, Instant checkedAt) {
		Lsn lsn = new Lsn(replayed);
		return new NodeStatus(node, true, NodeRole.STANDBY, lsn, lsn, null, Duration.ZERO, 200 - replayed,
				Rotation.IN_ROTATION, checkedAt, null)
			.withServer(null, STARTED);
	}

	/**
	 * H2 as an endpoint whose probe reaches A, at the position of its furthest server in
	 * rotation, with the servers given.
	 */
	private static NodeStatus endpointAt(long replayed, NodeStatus... servers) {
		return standbyAt(H2, replayed).withServer(A, STARTED).withServers(List.of(servers));
	}

	/** A server's verdict behind H2. */
	private static NodeStatus server(HostAndPort server, long replayed, Rotation rotation, Instant checkedAt) {
		Lsn lsn = new Lsn(replayed);
		return new NodeStatus(server, true, NodeRole.STANDBY, lsn, lsn, null, Duration.ZERO, 200 - replayed, rotation,
				checkedAt, null, server, STARTED, List.of());
	}

	/**
	 * The connections of a pool reach these servers in turn, the last one from then on.
	 */
	private static IntFunction<@Nullable HostAndPort> reaching(HostAndPort... servers) {
		return (borrowed) -> servers[Math.min(borrowed, servers.length) - 1];
	}

	/**
	 * Judges servers as told: each server's rotation (in rotation unless told), with the
	 * position the check found; hears every check and tells how old a verdict may be.
	 */
	static final class FakeServerChecks implements ServerChecks {

		final Map<HostAndPort, Rotation> rotations = new HashMap<>();

		final List<NodeStatus> checked = new ArrayList<>();

		private final Duration maxAge;

		FakeServerChecks(Duration maxAge) {
			this.maxAge = maxAge;
		}

		@Override
		public NodeStatus judge(HostAndPort endpoint, NodeStatus checked, Instant startedAt) {
			this.checked.add(checked);
			HostAndPort server = checked.server();
			return server(server, checked.walLsn().value(), this.rotations.getOrDefault(server, Rotation.IN_ROTATION),
					checked.checkedAt());
		}

		@Override
		public Duration maxAge() {
			return this.maxAge;
		}

	}

	/**
	 * The pool of one node: hands out fake connections whose replay check answers as
	 * told, or refuses.
	 */
	static final class FakePool extends AbstractDataSource {

		private final String name;

		boolean refuses;

		boolean checkFails;

		/** Answers the replay check, given how many times it was asked so far. */
		IntPredicate replayed = (poll) -> true;

		/** The server each connection reaches, given how many were borrowed so far. */
		IntFunction<@Nullable HostAndPort> servers = (borrowed) -> null;

		/** The replay position a server check on a connection of this pool finds. */
		long serverReplayed = 120;

		/** When the server that new connections reach was started. */
		Instant startedAt = STARTED;

		int borrowed;

		int polls;

		final List<FakeConnection> handedOut = new ArrayList<>();

		final List<String> queries = new ArrayList<>();

		final List<String> positions = new ArrayList<>();

		FakePool(String name) {
			this.name = name;
		}

		@Override
		public Connection getConnection() throws SQLException {
			if (this.refuses) {
				throw new SQLException("Connection to " + this.name + " refused", "08001");
			}
			this.borrowed++;
			FakeConnection connection = new FakeConnection(this, this.servers.apply(this.borrowed), this.startedAt);
			this.handedOut.add(connection);
			return proxy(Connection.class, connection);
		}

		@Override
		public Connection getConnection(String username, String password) {
			throw new UnsupportedOperationException();
		}

		@Override
		public String toString() {
			return this.name;
		}

	}

	/**
	 * A connection that knows its pool, the server it reached, its read-only flag,
	 * whether it was closed or retired, the replay check, and the server check.
	 */
	static final class FakeConnection implements InvocationHandler {

		final FakePool pool;

		final @Nullable HostAndPort server;

		final Instant startedAt;

		boolean readOnly;

		boolean closed;

		boolean retired;

		FakeConnection(FakePool pool, @Nullable HostAndPort server, Instant startedAt) {
			this.pool = pool;
			this.server = server;
			this.startedAt = startedAt;
		}

		@Override
		public @Nullable Object invoke(Object proxy, Method method, Object[] args) throws SQLException {
			return switch (method.getName()) {
				case "setReadOnly" -> {
					this.readOnly = (boolean) args[0];
					yield null;
				}
				case "isReadOnly" -> this.readOnly;
				case "close" -> {
					this.closed = true;
					yield null;
				}
				case "prepareStatement" -> {
					this.pool.queries.add((String) args[0]);
					yield proxy(PreparedStatement.class, this::statement);
				}
				case "createStatement" -> proxy(Statement.class, this::serverCheck);
				case "toString" -> "connection to " + this.pool;
				default -> throw new UnsupportedOperationException(method.getName());
			};
		}

		private @Nullable Object statement(Object proxy, Method method, Object[] args) throws SQLException {
			return switch (method.getName()) {
				case "setString" -> {
					this.pool.positions.add((String) args[1]);
					yield null;
				}
				case "executeQuery" -> {
					if (this.pool.checkFails) {
						throw new SQLException("terminating connection due to administrator command", "57P01");
					}
					boolean replayed = this.pool.replayed.test(++this.pool.polls);
					yield proxy(ResultSet.class, (rs, rsMethod, rsArgs) -> switch (rsMethod.getName()) {
						case "next" -> true;
						case "getBoolean" -> replayed;
						case "close" -> null;
						default -> throw new UnsupportedOperationException(rsMethod.getName());
					});
				}
				case "close" -> null;
				default -> throw new UnsupportedOperationException(method.getName());
			};
		}

		/**
		 * Answers the probe's check ({@code JdbcNodeProbe.QUERY}) as a standby that
		 * replayed and received all the pool says, with no lag, naming the server this
		 * connection reached.
		 */
		private @Nullable Object serverCheck(Object proxy, Method method, Object[] args) {
			return switch (method.getName()) {
				case "executeQuery" -> {
					this.pool.queries.add((String) args[0]);
					String position = new Lsn(this.pool.serverReplayed).toString();
					Object[] row = { true, position, position, null, 0L, this.server.host(), this.server.port(),
							Timestamp.from(this.startedAt) };
					yield proxy(ResultSet.class, (rs, rsMethod, rsArgs) -> switch (rsMethod.getName()) {
						case "next" -> true;
						case "getBoolean", "getString", "getTimestamp", "getLong", "getInt" -> row[(int) rsArgs[0] - 1];
						case "wasNull" -> false;
						case "close" -> null;
						default -> throw new UnsupportedOperationException(rsMethod.getName());
					});
				}
				case "close" -> null;
				default -> throw new UnsupportedOperationException(method.getName());
			};
		}

	}

	private static <T> T proxy(Class<T> type, InvocationHandler handler) {
		return type.cast(
				Proxy.newProxyInstance(ReaderDataSourceTests.class.getClassLoader(), new Class<?>[] { type }, handler));
	}

}

package dev.tandem.routing;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;

import dev.tandem.consistency.ConsistencyMode;
import dev.tandem.consistency.MemoryMarkerStore;
import dev.tandem.consistency.ReadConsistency;
import dev.tandem.pool.PoolFailureListener;
import dev.tandem.pool.PrimaryGate;
import dev.tandem.topology.Lsn;
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

	private final Map<HostAndPort, FakePool> pools = new HashMap<>();

	private final FakePool writerPool = new FakePool("writer");

	private final List<HostAndPort> failed = new ArrayList<>();

	private final List<ReadChoice> routed = new ArrayList<>();

	private final AtomicInteger lookups = new AtomicInteger();

	private final MemoryMarkerStore store = new MemoryMarkerStore();

	private TopologySnapshot topology = snapshot("pss");

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
		return new ReaderDataSource(this::pool, writer,
				new ReaderSelector(target, ReadBalance.ROUND_ROBIN, (node) -> 0), () -> this.topology, failures,
				observer, consistency);
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
				Rotation.IN_ROTATION, checkedAt, null);
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
			FakeConnection connection = new FakeConnection(this);
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
	 * A connection that knows its pool, its read-only flag, whether it was closed, and
	 * the replay check.
	 */
	static final class FakeConnection implements InvocationHandler {

		final FakePool pool;

		boolean readOnly;

		boolean closed;

		FakeConnection(FakePool pool) {
			this.pool = pool;
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

	}

	private static <T> T proxy(Class<T> type, InvocationHandler handler) {
		return type.cast(
				Proxy.newProxyInstance(ReaderDataSourceTests.class.getClassLoader(), new Class<?>[] { type }, handler));
	}

}

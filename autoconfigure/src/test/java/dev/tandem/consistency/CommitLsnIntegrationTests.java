package dev.tandem.consistency;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import dev.tandem.testkit.PostgresClusterExtension;
import dev.tandem.testkit.PostgresNode;
import dev.tandem.wal.Lsn;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * {@link CommitLsn} on a real primary and standby: the position read along with the
 * commit covers the commit, and where pgjdbc does not allow reading it along, the commit
 * runs as pgjdbc's own.
 */
class CommitLsnIntegrationTests {

	@RegisterExtension
	static final PostgresClusterExtension cluster = PostgresClusterExtension.withStandbys(1);

	@BeforeAll
	static void createTable() throws SQLException {
		try (Connection connection = primary().connect(); Statement statement = connection.createStatement()) {
			statement.execute("CREATE TABLE commit_lsn (id int PRIMARY KEY)");
			statement.execute("CREATE TABLE padding (filler text)");
		}
	}

	@Test
	void thePositionReadWithTheCommitCoversItOnTheStandbyThatReplayedIt() throws SQLException {
		List<Lsn> heard = new ArrayList<>();
		Lsn before;
		try (Connection connection = primary().connect()) {
			before = CommitLsn.read(connection);
			connection.setAutoCommit(false);
			insert(connection, 1);
			CommitLsn.commit(connection, heard::add);
			assertThat(connection.getAutoCommit()).isFalse();
			// The session goes on as usual: a new transaction, committed by pgjdbc.
			insert(connection, 2);
			connection.commit();
		}
		assertThat(heard).hasSize(1);
		Lsn lsn = heard.get(0);
		assertThat(lsn).isGreaterThan(before);
		assertThat(count(primary(), "id IN (1, 2)")).isEqualTo(2);
		try (Connection standby = standby().connect()) {
			await().atMost(Duration.ofSeconds(10)).until(() -> replayed(standby).compareTo(lsn) >= 0);
			// No later write: whatever the standby shows at that position is the
			// commit's.
			assertThat(countOn(standby, "id = 1")).isEqualTo(1);
		}
	}

	@Test
	void aCommitThatEndsAWalPageGivesAPositionTheStandbyReachesWithoutAnotherWrite() throws SQLException {
		// The insert position then lies past the next page's header, which only the next
		// record brings; on an idle primary that may be seconds away.
		Lsn atPageEnd = null;
		try (Connection connection = primary().connect(); Statement statement = connection.createStatement()) {
			long pageSize = Long.parseLong(single(connection, "SELECT current_setting('wal_block_size')"));
			connection.setAutoCommit(false);
			for (int i = 0; i < 50_000 && atPageEnd == null; i++) {
				// Rows of every length: commits end at every 8-byte boundary in turn.
				statement.execute("INSERT INTO padding VALUES (repeat('x', " + (i % 512) + "))");
				List<Lsn> heard = new ArrayList<>();
				CommitLsn.commit(connection, heard::add);
				long inPage = heard.get(0).value() % pageSize;
				if (inPage == 0 || inPage == CommitLsn.SHORT_PAGE_HEADER) {
					atPageEnd = heard.get(0);
				}
			}
			assertThat(atPageEnd).as("a commit that ends a WAL page").isNotNull();
			connection.setAutoCommit(true);
			assertThat(atPageEnd)
				.isLessThanOrEqualTo(Lsn.parse(single(connection, "SELECT pg_current_wal_lsn()::text")));
		}
		Lsn position = atPageEnd;
		try (Connection standby = standby().connect()) {
			await().atMost(Duration.ofSeconds(5)).until(() -> replayed(standby).compareTo(position) >= 0);
		}
	}

	@Test
	void throughTheRecordingConnectionTheCommitIsHeardAndTheRestIsTheConnections() throws SQLException {
		List<Lsn> heard = new ArrayList<>();
		try (Connection raw = primary().connect()) {
			Connection connection = CommitLsn.recording(raw, heard::add);
			connection.setAutoCommit(false);
			insert(connection, 3);
			connection.commit();
			assertThat(heard).hasSize(1);
			assertThat(connection.unwrap(org.postgresql.PGConnection.class)).isSameAs(raw);
			assertThat(connection).isEqualTo(connection).isNotEqualTo(raw);
		}
		assertThat(count(primary(), "id = 3")).isEqualTo(1);
	}

	@Test
	void withAutosaveTheCommitIsSentAloneAndThePositionAskedAfter() throws SQLException {
		List<Lsn> heard = new ArrayList<>();
		Properties properties = new Properties();
		properties.setProperty("autosave", "always");
		try (Connection connection = connect(primary(), properties)) {
			connection.setAutoCommit(false);
			insert(connection, 4);
			CommitLsn.commit(connection, heard::add);
			assertThat(heard).isEmpty();
			assertThat(CommitLsn.read(connection)).isNotNull();
		}
		assertThat(count(primary(), "id = 4")).isEqualTo(1);
	}

	@Test
	void aFailedTransactionIsCommittedByPgjdbcAndCommitsNothing() throws SQLException {
		List<Lsn> heard = new ArrayList<>();
		try (Connection connection = primary().connect()) {
			connection.setAutoCommit(false);
			insert(connection, 5);
			assertThatExceptionOfType(SQLException.class).isThrownBy(() -> insert(connection, 5));
			try {
				CommitLsn.commit(connection, heard::add);
			}
			catch (SQLException ex) {
				// pgjdbc may report the rollback: either way nothing is committed
			}
		}
		assertThat(heard).isEmpty();
		assertThat(count(primary(), "id = 5")).isZero();
	}

	@Test
	void aCommitThatFailsFailsAsPgjdbcsOwn() throws SQLException {
		List<Lsn> heard = new ArrayList<>();
		try (Connection connection = primary().connect(); Statement statement = connection.createStatement()) {
			connection.setAutoCommit(false);
			statement.execute("CREATE TEMPORARY TABLE deferred_check (id int, CONSTRAINT one UNIQUE (id) "
					+ "DEFERRABLE INITIALLY DEFERRED) ON COMMIT DELETE ROWS");
			connection.commit();
			statement.execute("INSERT INTO deferred_check VALUES (1), (1)");
			insert(connection, 6);
			assertThatExceptionOfType(SQLException.class).isThrownBy(() -> CommitLsn.commit(connection, heard::add))
				.satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo("23505"));
			assertThat(connection.isValid(1)).isTrue();
		}
		assertThat(heard).isEmpty();
		assertThat(count(primary(), "id = 6")).isZero();
	}

	@Test
	void onAServerInRecoveryTheCommitAnswersNoPosition() throws SQLException {
		List<Lsn> heard = new ArrayList<>();
		try (Connection connection = standby().connect()) {
			connection.setAutoCommit(false);
			assertThat(countOn(connection, "true")).isNotNegative();
			CommitLsn.commit(connection, heard::add);
		}
		assertThat(heard).containsExactly((Lsn) null);
	}

	private static PostgresNode primary() {
		return cluster.cluster().primary();
	}

	private static PostgresNode standby() {
		return cluster.cluster().standbys().get(0);
	}

	private static Connection connect(PostgresNode node, Properties extra) throws SQLException {
		Properties properties = new Properties();
		properties.setProperty("user", cluster.cluster().username());
		properties.setProperty("password", cluster.cluster().password());
		properties.putAll(extra);
		return DriverManager.getConnection(node.jdbcUrl(), properties);
	}

	private static void insert(Connection connection, int id) throws SQLException {
		try (Statement statement = connection.createStatement()) {
			statement.execute("INSERT INTO commit_lsn VALUES (" + id + ")");
		}
	}

	private static long count(PostgresNode node, String condition) throws SQLException {
		try (Connection connection = node.connect()) {
			return countOn(connection, condition);
		}
	}

	private static long countOn(Connection connection, String condition) throws SQLException {
		try (Statement statement = connection.createStatement();
				ResultSet rs = statement.executeQuery("SELECT count(*) FROM commit_lsn WHERE " + condition)) {
			rs.next();
			return rs.getLong(1);
		}
	}

	private static Lsn replayed(Connection standby) throws SQLException {
		return Lsn.parse(single(standby, "SELECT pg_last_wal_replay_lsn()::text"));
	}

	private static String single(Connection connection, String query) throws SQLException {
		try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(query)) {
			rs.next();
			return rs.getString(1);
		}
	}

}

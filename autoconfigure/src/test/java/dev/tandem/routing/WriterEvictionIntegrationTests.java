package dev.tandem.routing;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import dev.tandem.testkit.PostgresCluster;
import dev.tandem.testkit.PostgresClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A write refused as read-only (SQLState 25006) on a writer connection retires that
 * connection: the next write gets a fresh one.
 */
class WriterEvictionIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@RegisterExtension
	static final PostgresClusterExtension cluster = PostgresClusterExtension.withStandbys(1);

	@Test
	void aWriteRefusedAsReadOnlyRetiresItsConnection() throws Exception {
		PostgresCluster postgres = cluster.cluster();
		ClusterWork.createTable(postgres);
		ClusterWork.runner(postgres, "tandem.writer.hikari.maximum-pool-size=1", "tandem.writer.hikari.minimum-idle=1")
			.run((context) -> {
				ClusterWork.Work work = context.getBean(ClusterWork.Work.class);
				ServingNode before = work.insert();
				assertThat(work.insert().backendPid()).as("one pooled connection").isEqualTo(before.backendPid());
				// Every session of the primary turns read-only at its next transaction,
				// as
				// a demoted node's would.
				primaryReadOnly(postgres, true);
				try {
					// The server applies a reload to each session asynchronously.
					await().atMost(WAIT).until(() -> insertFailsWith(work, "25006"));
				}
				finally {
					primaryReadOnly(postgres, false);
				}
				await().atMost(WAIT).until(() -> insertFailsWith(work, null));
				ServingNode after = work.insert();
				assertThat(after.standby()).isFalse();
				assertThat(after.backendPid()).as("a fresh connection").isNotEqualTo(before.backendPid());
			});
	}

	private static void primaryReadOnly(PostgresCluster postgres, boolean readOnly) throws SQLException {
		try (Connection connection = postgres.primary().connectAsSuperuser();
				Statement statement = connection.createStatement()) {
			statement.execute(readOnly ? "ALTER SYSTEM SET default_transaction_read_only = on"
					: "ALTER SYSTEM RESET default_transaction_read_only");
			statement.execute("SELECT pg_reload_conf()");
		}
	}

	/** Inserts, and tells whether it failed with the state, or succeeded for null. */
	private static boolean insertFailsWith(ClusterWork.Work work, String sqlState) {
		try {
			work.insert();
			return sqlState == null;
		}
		catch (RuntimeException ex) {
			return sqlState != null && sqlState.equals(ClusterWork.sqlState(ex));
		}
	}

}

package dev.tandem.routing;

import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import javax.sql.DataSource;

import dev.tandem.ReadFromPrimary;
import dev.tandem.ReadFromReplica;
import dev.tandem.testkit.PostgresCluster;
import dev.tandem.testkit.PostgresClusterExtension;
import dev.tandem.testkit.PostgresNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.LazyConnectionDataSourceProxy;
import org.springframework.jdbc.datasource.lookup.AbstractRoutingDataSource;
import org.springframework.stereotype.Service;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Routing rules on a real primary with two streaming standbys, each proved by asking the
 * node that served the statement. Transactions are managed by Spring's
 * {@link DataSourceTransactionManager}; {@link JpaRoutingIntegrationTests} covers JPA.
 */
@SpringBootTest(classes = RoutingIntegrationTests.App.class,
		properties = "spring.autoconfigure.exclude=org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration,"
				+ "org.springframework.boot.data.jpa.autoconfigure.DataJpaRepositoriesAutoConfiguration")
@DirtiesContext
class RoutingIntegrationTests {

	@RegisterExtension
	static final PostgresClusterExtension cluster = PostgresClusterExtension.withStandbys(2);

	@DynamicPropertySource
	static void tandem(DynamicPropertyRegistry registry) {
		registry.add("tandem.url", cluster::libpqUrl);
	}

	@Autowired
	private Reads reads;

	@Autowired
	private Writes writes;

	@Autowired
	private JdbcTemplate jdbc;

	@Autowired
	private PlatformTransactionManager transactionManager;

	@Autowired
	private DataSource dataSource;

	private int primaryPort;

	private Set<Integer> standbyPorts;

	@BeforeEach
	void nodes() {
		PostgresCluster postgres = cluster.cluster();
		this.primaryPort = postgres.primary().port();
		this.standbyPorts = new HashSet<>(postgres.standbys().stream().map(PostgresNode::port).toList());
		assertThat(this.standbyPorts).hasSize(2);
	}

	@Test
	void transactionManagerIsPlainJdbc() {
		assertThat(this.transactionManager).isInstanceOf(DataSourceTransactionManager.class);
	}

	@Test
	void dataSourceIsALazyProxyOverARoutingDataSourceWithWriterAndReaderKeys() throws SQLException {
		assertThat(this.dataSource).isInstanceOf(LazyConnectionDataSourceProxy.class);
		AbstractRoutingDataSource routing = this.dataSource.unwrap(AbstractRoutingDataSource.class);
		assertThat(routing.getResolvedDataSources().keySet()).map(Object::toString)
			.containsExactlyInAnyOrder("writer", "reader");
	}

	// Rule 1
	@Test
	void readOnlyTransactionRunsOnAStandby() {
		ServingNode node = this.reads.readOnly();
		assertThat(node.standby()).isTrue();
		assertThat(this.standbyPorts).contains(node.port());
	}

	@Test
	void readOnlyTransactionsSpreadOverBothStandbys() {
		Set<Integer> ports = new HashSet<>();
		IntStream.range(0, 20).forEach((i) -> ports.add(this.reads.readOnly().port()));
		assertThat(ports).isEqualTo(this.standbyPorts);
	}

	@Test
	void readWriteTransactionRunsOnThePrimary() {
		assertOnPrimary(this.writes.readWrite());
	}

	// Rule 3
	@Test
	void readOnlyTransactionTemplateRunsOnAStandby() {
		TransactionTemplate template = new TransactionTemplate(this.transactionManager);
		template.setReadOnly(true);
		ServingNode node = template.execute((status) -> ServingNode.ask(this.jdbc));
		assertThat(node.standby()).isTrue();
		assertThat(this.standbyPorts).contains(node.port());
	}

	// Rule 4
	@Test
	void readOnlyMethodInsideReadWriteTransactionSharesThePrimaryConnection() {
		List<ServingNode> nodes = this.writes.readWriteCallingReadOnly();
		assertOnPrimary(nodes.get(0));
		assertOnPrimary(nodes.get(1));
		assertThat(nodes.get(1).backendPid()).isEqualTo(nodes.get(0).backendPid());
	}

	@Test
	void readOnlyMethodInsideReadWriteTransactionBeforeAnyStatementStaysOnThePrimary() {
		assertOnPrimary(this.writes.readWriteCallingReadOnlyFirst());
	}

	// Rule 5
	@Test
	void requiresNewWriteInsideReadOnlyTransactionRunsOnThePrimary() {
		List<ServingNode> nodes = this.reads.readOnlyCallingRequiresNewWrite();
		assertThat(nodes.get(0).standby()).isTrue();
		assertOnPrimary(nodes.get(1));
		assertThat(nodes.get(2)).isEqualTo(nodes.get(0));
	}

	// Rule 6
	@Test
	void plainJdbcTemplateCallsRunOnThePrimary() {
		for (int i = 0; i < 5; i++) {
			assertOnPrimary(ServingNode.ask(this.jdbc));
		}
	}

	@Test
	void readFromReplicaRoutesNonTransactionalCallsToAStandby() {
		ServingNode node = this.reads.nonTransactionalFromReplica();
		assertThat(node.standby()).isTrue();
		assertThat(this.standbyPorts).contains(node.port());
	}

	@Test
	void readFromReplicaInsideReadWriteTransactionKeepsThePrimary() {
		assertOnPrimary(this.writes.readWriteCallingReplicaRead());
	}

	// Rule 7
	@Test
	void flywayAndLiquibaseMigrationsRanOnThePrimary() {
		Integer initialPrimary = cluster.cluster().node(0).port();
		assertThat(this.jdbc.queryForList("SELECT in_recovery, port FROM flyway_origin"))
			.containsExactly(java.util.Map.of("in_recovery", false, "port", initialPrimary));
		assertThat(this.jdbc.queryForList("SELECT in_recovery, port FROM liquibase_origin"))
			.containsExactly(java.util.Map.of("in_recovery", false, "port", initialPrimary));
	}

	// Rule 8
	@Test
	void writeInsideReadOnlyTransactionFailsWithReadOnlySqlState() {
		assertThatExceptionOfType(DataAccessException.class).isThrownBy(this.reads::writeInReadOnly)
			.satisfies((ex) -> assertThat(ClusterWork.sqlState(ex)).isEqualTo("25006"));
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM note WHERE body = 'must not exist'", Long.class))
			.isZero();
	}

	@Test
	void writeOnAReaderSessionFailsEvenOutsideATransaction() {
		assertThatExceptionOfType(DataAccessException.class).isThrownBy(this.reads::writeFromReplica)
			.satisfies((ex) -> assertThat(ClusterWork.sqlState(ex)).isEqualTo("25006"));
	}

	// Rule 9
	@Test
	void readFromPrimaryOnAReadOnlyTransactionRunsOnThePrimary() {
		assertOnPrimary(this.reads.readOnlyFromPrimary());
	}

	@Test
	void readFromPrimaryOutsideATransactionRunsOnThePrimary() {
		assertOnPrimary(this.reads.nonTransactionalFromPrimary());
	}

	@Test
	void readFromPrimaryCalledInsideAReadOnlyTransactionRunsOnThePrimary() {
		List<ServingNode> nodes = this.reads.readOnlyCallingReadFromPrimary();
		assertThat(nodes.get(0).standby()).isTrue();
		assertOnPrimary(nodes.get(1));
		assertThat(nodes.get(2)).isEqualTo(nodes.get(0));
	}

	private void assertOnPrimary(ServingNode node) {
		assertThat(node.standby()).isFalse();
		assertThat(node.port()).isEqualTo(this.primaryPort);
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@Import({ Reads.class, Writes.class, PrimaryReads.class })
	static class App {

	}

	@Service
	static class Reads {

		private final JdbcTemplate jdbc;

		private final Writes writes;

		private final PrimaryReads primaryReads;

		Reads(JdbcTemplate jdbc, @org.springframework.context.annotation.Lazy Writes writes,
				PrimaryReads primaryReads) {
			this.jdbc = jdbc;
			this.writes = writes;
			this.primaryReads = primaryReads;
		}

		@Transactional(readOnly = true)
		public ServingNode readOnly() {
			return ServingNode.ask(this.jdbc);
		}

		@Transactional(readOnly = true)
		public List<ServingNode> readOnlyCallingRequiresNewWrite() {
			ServingNode before = ServingNode.ask(this.jdbc);
			ServingNode inner = this.writes.requiresNewWrite();
			return List.of(before, inner, ServingNode.ask(this.jdbc));
		}

		@Transactional(readOnly = true)
		public void writeInReadOnly() {
			this.jdbc.update("INSERT INTO note (body) VALUES ('must not exist')");
		}

		@ReadFromReplica
		public ServingNode nonTransactionalFromReplica() {
			return ServingNode.ask(this.jdbc);
		}

		@ReadFromReplica
		public void writeFromReplica() {
			this.jdbc.update("INSERT INTO note (body) VALUES ('must not exist')");
		}

		@ReadFromPrimary
		@Transactional(readOnly = true)
		public ServingNode readOnlyFromPrimary() {
			return ServingNode.ask(this.jdbc);
		}

		@ReadFromPrimary
		public ServingNode nonTransactionalFromPrimary() {
			return ServingNode.ask(this.jdbc);
		}

		@Transactional(readOnly = true)
		public List<ServingNode> readOnlyCallingReadFromPrimary() {
			ServingNode before = ServingNode.ask(this.jdbc);
			ServingNode inner = this.primaryReads.read();
			return List.of(before, inner, ServingNode.ask(this.jdbc));
		}

	}

	@Service
	static class PrimaryReads {

		private final JdbcTemplate jdbc;

		PrimaryReads(JdbcTemplate jdbc) {
			this.jdbc = jdbc;
		}

		@ReadFromPrimary
		public ServingNode read() {
			return ServingNode.ask(this.jdbc);
		}

	}

	@Service
	static class Writes {

		private final JdbcTemplate jdbc;

		private final Reads reads;

		Writes(JdbcTemplate jdbc, Reads reads) {
			this.jdbc = jdbc;
			this.reads = reads;
		}

		@Transactional
		public ServingNode readWrite() {
			this.jdbc.update("INSERT INTO note (body) VALUES ('written')");
			return ServingNode.ask(this.jdbc);
		}

		@Transactional
		public List<ServingNode> readWriteCallingReadOnly() {
			ServingNode outer = ServingNode.ask(this.jdbc);
			return List.of(outer, this.reads.readOnly());
		}

		@Transactional
		public ServingNode readWriteCallingReadOnlyFirst() {
			return this.reads.readOnly();
		}

		@Transactional
		public ServingNode readWriteCallingReplicaRead() {
			return this.reads.nonTransactionalFromReplica();
		}

		@Transactional(propagation = Propagation.REQUIRES_NEW)
		public ServingNode requiresNewWrite() {
			this.jdbc.update("INSERT INTO note (body) VALUES ('requires new')");
			return ServingNode.ask(this.jdbc);
		}

	}

}

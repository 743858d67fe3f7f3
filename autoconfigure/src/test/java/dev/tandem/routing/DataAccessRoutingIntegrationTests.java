package dev.tandem.routing;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;

import dev.tandem.ReadFromReplica;
import dev.tandem.testkit.PostgresClusterExtension;
import org.jooq.DSLContext;
import org.jooq.Record3;
import org.jooq.impl.DataSourceConnectionProvider;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.FilterType;
import org.springframework.context.annotation.Import;
import org.springframework.data.annotation.Id;
import org.springframework.data.jdbc.repository.config.AbstractJdbcConfiguration;
import org.springframework.data.jdbc.repository.config.EnableJdbcRepositories;
import org.springframework.data.relational.core.mapping.Table;
import org.springframework.data.repository.ListCrudRepository;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy;
import org.springframework.stereotype.Service;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The routing rules that apply to each data access API, through Spring's
 * {@code JdbcClient}, a Spring Data JDBC repository and jOOQ's {@code DSLContext} as
 * Spring Boot configures it (a {@code DataSourceConnectionProvider} over a
 * {@code TransactionAwareDataSourceProxy}), on a real primary with one standby. Reads ask
 * the serving node; each write records the node it ran on in column defaults.
 */
@SpringBootTest(classes = DataAccessRoutingIntegrationTests.App.class,
		properties = JdbcRepositoryRoutingIntegrationTests.WITHOUT_JPA)
@DirtiesContext
class DataAccessRoutingIntegrationTests {

	@RegisterExtension
	static final PostgresClusterExtension cluster = PostgresClusterExtension.withStandbys(1);

	@DynamicPropertySource
	static void tandem(DynamicPropertyRegistry registry) {
		registry.add("tandem.url", cluster::libpqUrl);
	}

	@Autowired
	private ApplicationContext context;

	@Autowired
	private Work work;

	/** The data access APIs under test. */
	enum Api {

		JDBC_CLIENT(JdbcClientAccess.class, false),

		SPRING_DATA_JDBC(RepositoryAccess.class, true),

		JOOQ(JooqAccess.class, false);

		private final Class<? extends Access> type;

		/** Whether a read without a transaction runs on a standby (routing rule 10). */
		private final boolean readsFromStandbyWithoutTransaction;

		Api(Class<? extends Access> type, boolean readsFromStandbyWithoutTransaction) {
			this.type = type;
			this.readsFromStandbyWithoutTransaction = readsFromStandbyWithoutTransaction;
		}

	}

	@BeforeAll
	static void createTables() throws SQLException {
		try (Connection connection = cluster.cluster().primary().connect();
				Statement statement = connection.createStatement()) {
			statement.execute("CREATE VIEW access_node AS SELECT 1::bigint AS id, pg_is_in_recovery() AS standby, "
					+ "inet_server_port() AS port, pg_backend_pid() AS backend_pid");
			statement.execute("CREATE TABLE access_note (id bigserial PRIMARY KEY, body text NOT NULL, "
					+ "standby boolean DEFAULT pg_is_in_recovery(), port int DEFAULT inet_server_port())");
		}
	}

	@Test
	void jooqRunsThroughBootsConnectionProvider() {
		DSLContext dsl = this.context.getBean(DSLContext.class);
		assertThat(dsl.configuration().connectionProvider()).isInstanceOf(DataSourceConnectionProvider.class);
		assertThat(((DataSourceConnectionProvider) dsl.configuration().connectionProvider()).dataSource())
			.isInstanceOf(TransactionAwareDataSourceProxy.class);
	}

	@ParameterizedTest
	@EnumSource(Api.class)
	void readOnlyTransactionRunsOnTheStandby(Api api) {
		assertOnStandby(this.work.readOnly(access(api)));
	}

	@ParameterizedTest
	@EnumSource(Api.class)
	void writeTransactionRunsOnThePrimary(Api api) throws SQLException {
		String body = body();
		assertOnPrimary(this.work.readWrite(access(api), body));
		assertWrittenOnPrimary(body);
	}

	@ParameterizedTest
	@EnumSource(Api.class)
	void workWithoutTransactionRunsOnThePrimaryUnlessReadFromReplica(Api api) throws SQLException {
		ServingNode node = access(api).read();
		if (api.readsFromStandbyWithoutTransaction) {
			assertOnStandby(node);
		}
		else {
			assertOnPrimary(node);
		}
		String body = body();
		access(api).write(body);
		assertWrittenOnPrimary(body);
		assertOnStandby(this.work.fromReplica(access(api)));
	}

	@ParameterizedTest
	@EnumSource(Api.class)
	void requiresNewWriteInsideReadOnlyTransactionRunsOnThePrimary(Api api) throws SQLException {
		String body = body();
		List<ServingNode> nodes = this.work.readOnlyCallingRequiresNewWrite(access(api), body);
		assertOnStandby(nodes.get(0));
		assertOnPrimary(nodes.get(1));
		assertThat(nodes.get(2)).as("back in the read-only transaction").isEqualTo(nodes.get(0));
		assertWrittenOnPrimary(body);
	}

	@ParameterizedTest
	@EnumSource(Api.class)
	void writeInsideReadOnlyTransactionFailsWithReadOnlySqlState(Api api) throws SQLException {
		String body = body();
		assertThat(ClusterWork.sqlStateOf(() -> this.work.writeInReadOnly(access(api), body))).isEqualTo("25006");
		assertThat(queryPrimary("SELECT count(*) FROM access_note WHERE body = '" + body + "'")).isZero();
	}

	private Access access(Api api) {
		return this.context.getBean(api.type);
	}

	private static String body() {
		return UUID.randomUUID().toString();
	}

	private static void assertOnStandby(ServingNode node) {
		assertThat(node.standby()).as("on a standby").isTrue();
		assertThat(node.port()).isEqualTo(cluster.cluster().standbys().get(0).port());
	}

	private static void assertOnPrimary(ServingNode node) {
		assertThat(node.standby()).as("on a standby").isFalse();
		assertThat(node.port()).isEqualTo(cluster.cluster().primary().port());
	}

	private static void assertWrittenOnPrimary(String body) throws SQLException {
		assertThat(queryPrimary("SELECT port FROM access_note WHERE body = '" + body + "' AND NOT standby"))
			.isEqualTo(cluster.cluster().primary().port());
	}

	private static int queryPrimary(String sql) throws SQLException {
		try (Connection connection = cluster.cluster().primary().connect();
				Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery(sql)) {
			return rows.next() ? rows.getInt(1) : 0;
		}
	}

	/**
	 * Spring Boot's JDBC, {@code JdbcClient} and jOOQ auto-configuration, and Spring Data
	 * JDBC configured by hand (its auto-configuration is not on the test class path).
	 */
	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@Import({ Work.class, Writes.class, JdbcClientAccess.class, RepositoryAccess.class, JooqAccess.class })
	@EnableJdbcRepositories(basePackageClasses = AccessNodes.class, considerNestedRepositories = true,
			includeFilters = @ComponentScan.Filter(type = FilterType.ASSIGNABLE_TYPE,
					classes = { AccessNodes.class, AccessNotes.class }))
	static class App extends AbstractJdbcConfiguration {

	}

	/** One data access API: reads the serving node, writes a note. */
	interface Access {

		ServingNode read();

		void write(String body);

	}

	@Service
	static class Work {

		private final Writes writes;

		Work(Writes writes) {
			this.writes = writes;
		}

		@Transactional(readOnly = true)
		public ServingNode readOnly(Access access) {
			return access.read();
		}

		@Transactional
		public ServingNode readWrite(Access access, String body) {
			access.write(body);
			return access.read();
		}

		@ReadFromReplica
		public ServingNode fromReplica(Access access) {
			return access.read();
		}

		@Transactional(readOnly = true)
		public List<ServingNode> readOnlyCallingRequiresNewWrite(Access access, String body) {
			ServingNode before = access.read();
			ServingNode inner = this.writes.requiresNew(access, body);
			return List.of(before, inner, access.read());
		}

		@Transactional(readOnly = true)
		public void writeInReadOnly(Access access, String body) {
			access.write(body);
		}

	}

	@Service
	static class Writes {

		@Transactional(propagation = Propagation.REQUIRES_NEW)
		public ServingNode requiresNew(Access access, String body) {
			access.write(body);
			return access.read();
		}

	}

	static class JdbcClientAccess implements Access {

		private final JdbcClient jdbc;

		JdbcClientAccess(JdbcClient jdbc) {
			this.jdbc = jdbc;
		}

		@Override
		public ServingNode read() {
			return this.jdbc.sql(ServingNode.QUERY)
				.query((rs, row) -> new ServingNode(rs.getBoolean(1), rs.getInt(2), rs.getInt(3)))
				.single();
		}

		@Override
		public void write(String body) {
			this.jdbc.sql("INSERT INTO access_note (body) VALUES (?)").param(body).update();
		}

	}

	static class RepositoryAccess implements Access {

		private final AccessNodes nodes;

		private final AccessNotes notes;

		RepositoryAccess(AccessNodes nodes, AccessNotes notes) {
			this.nodes = nodes;
			this.notes = notes;
		}

		@Override
		public ServingNode read() {
			AccessNode node = this.nodes.findFirstByIdGreaterThan(0L);
			return new ServingNode(node.standby(), node.port(), node.backendPid());
		}

		@Override
		public void write(String body) {
			this.notes.save(new AccessNote(null, body));
		}

	}

	static class JooqAccess implements Access {

		private final DSLContext dsl;

		JooqAccess(DSLContext dsl) {
			this.dsl = dsl;
		}

		@Override
		public ServingNode read() {
			Record3<Boolean, Integer, Integer> node = this.dsl
				.select(DSL.field("pg_is_in_recovery()", Boolean.class), DSL.field("inet_server_port()", Integer.class),
						DSL.field("pg_backend_pid()", Integer.class))
				.fetchSingle();
			return new ServingNode(node.value1(), node.value2(), node.value3());
		}

		@Override
		public void write(String body) {
			this.dsl.insertInto(DSL.table("access_note"), DSL.field("body", String.class)).values(body).execute();
		}

	}

	@Table("access_node")
	record AccessNode(@Id Long id, boolean standby, int port, int backendPid) {

	}

	@Table("access_note")
	record AccessNote(@Id Long id, String body) {

	}

	interface AccessNodes extends ListCrudRepository<AccessNode, Long> {

		AccessNode findFirstByIdGreaterThan(long id);

	}

	interface AccessNotes extends ListCrudRepository<AccessNote, Long> {

	}

}

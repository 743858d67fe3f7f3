package dev.tandem.routing;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import dev.tandem.ReadFromPrimary;
import dev.tandem.testkit.PostgresClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.FilterType;
import org.springframework.data.annotation.Id;
import org.springframework.data.jdbc.repository.config.AbstractJdbcConfiguration;
import org.springframework.data.jdbc.repository.config.EnableJdbcRepositories;
import org.springframework.data.jdbc.repository.query.Modifying;
import org.springframework.data.jdbc.repository.query.Query;
import org.springframework.data.relational.core.mapping.Table;
import org.springframework.data.relational.core.sql.LockMode;
import org.springframework.data.relational.repository.Lock;
import org.springframework.data.repository.ListCrudRepository;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Routing rule 10 with Spring Data JDBC on a real primary with one standby: repository
 * reads called without a transaction run on the standby; writes and locks, which Spring
 * Data JDBC runs without a transaction too, run on the primary (on the standby they would
 * fail with SQLState 25006); inside a transaction a repository method joins it. The
 * aggregate is a view whose rows report the node that read them.
 */
@SpringBootTest(classes = JdbcRepositoryRoutingIntegrationTests.App.class,
		properties = JdbcRepositoryRoutingIntegrationTests.WITHOUT_JPA)
@DirtiesContext
class JdbcRepositoryRoutingIntegrationTests {

	static final String WITHOUT_JPA = "spring.autoconfigure.exclude="
			+ "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration,"
			+ "org.springframework.boot.data.jpa.autoconfigure.DataJpaRepositoriesAutoConfiguration";

	@RegisterExtension
	static final PostgresClusterExtension cluster = PostgresClusterExtension.withStandbys(1);

	@DynamicPropertySource
	static void tandem(DynamicPropertyRegistry registry) {
		registry.add("tandem.url", cluster::libpqUrl);
	}

	@Autowired
	private ItemNodes items;

	@Autowired
	private PlatformTransactionManager transactionManager;

	@BeforeAll
	static void createItems() throws SQLException {
		try (Connection connection = cluster.cluster().primary().connect();
				Statement statement = connection.createStatement()) {
			statement.execute("CREATE TABLE jdbc_item (id bigserial PRIMARY KEY, name text NOT NULL, served_by int)");
			statement.execute("CREATE VIEW jdbc_item_node AS SELECT id, name, pg_is_in_recovery() AS standby, "
					+ "inet_server_port() AS port FROM jdbc_item");
			statement
				.execute("INSERT INTO jdbc_item (name) VALUES ('kept'), ('kept'), ('stamped'), ('doomed'), ('locked')");
		}
		cluster.cluster().awaitReplication(Duration.ofSeconds(10));
	}

	@Test
	void derivedQueryRunsOnTheStandby() {
		assertThat(this.items.findByName("kept")).hasSize(2)
			.allSatisfy(JdbcRepositoryRoutingIntegrationTests::onStandby);
	}

	@Test
	void queryAnnotatedReadRunsOnTheStandby() {
		assertThat(this.items.named("kept")).hasSize(2).allSatisfy(JdbcRepositoryRoutingIntegrationTests::onStandby);
	}

	@Test
	void countAndExistsRunOnTheStandby() {
		assertThat(this.items.countByNameAndStandby("kept", true)).isEqualTo(2);
		assertThat(this.items.existsByNameAndStandby("kept", true)).isTrue();
	}

	@Test
	void crudReadsRunOnTheStandby() {
		ItemNode first = this.items.findByName("kept").get(0);
		assertThat(this.items.findById(first.id()))
			.hasValueSatisfying(JdbcRepositoryRoutingIntegrationTests::onStandby);
		assertThat(this.items.findAll()).allSatisfy(JdbcRepositoryRoutingIntegrationTests::onStandby);
	}

	@Test
	void modifyingQueryRunsOnThePrimary() throws SQLException {
		assertThat(this.items.stamp("stamped")).isEqualTo(1);
		assertThat(servedBy("stamped")).isEqualTo(cluster.cluster().primary().port());
	}

	@Test
	void derivedDeleteRunsOnThePrimary() throws SQLException {
		this.items.deleteByName("doomed");
		assertThat(countOnPrimary("doomed")).isZero();
	}

	@Test
	void lockingQueryRunsOnThePrimary() {
		assertThat(this.items.findLockedByName("locked")).hasSize(1)
			.allSatisfy(JdbcRepositoryRoutingIntegrationTests::onPrimary);
	}

	@Test
	void readInsideReadWriteTransactionJoinsItOnThePrimary() {
		List<ItemNode> found = new TransactionTemplate(this.transactionManager)
			.execute((status) -> this.items.findByName("kept"));
		assertThat(found).hasSize(2).allSatisfy(JdbcRepositoryRoutingIntegrationTests::onPrimary);
	}

	@Test
	void readFromPrimaryOnARepositoryMethodRunsOnThePrimary() {
		assertThat(this.items.findFreshByName("kept")).hasSize(2)
			.allSatisfy(JdbcRepositoryRoutingIntegrationTests::onPrimary);
	}

	@Test
	void readsRunOnThePrimaryWhenTheRuleIsOff() {
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class)
			.web(WebApplicationType.NONE)
			.properties("tandem.url=" + cluster.libpqUrl(), WITHOUT_JPA, "tandem.reads.repository-queries=false")
			.run()) {
			ItemNodes items = context.getBean(ItemNodes.class);
			assertThat(items.findByName("kept")).hasSize(2)
				.allSatisfy(JdbcRepositoryRoutingIntegrationTests::onPrimary);
			assertThat(items.countByNameAndStandby("kept", true)).isZero();
		}
	}

	private static void onStandby(ItemNode item) {
		assertThat(item.standby()).as("read on a standby").isTrue();
		assertThat(item.port()).isEqualTo(cluster.cluster().standbys().get(0).port());
	}

	private static void onPrimary(ItemNode item) {
		assertThat(item.standby()).as("read on a standby").isFalse();
		assertThat(item.port()).isEqualTo(cluster.cluster().primary().port());
	}

	private static int servedBy(String name) throws SQLException {
		return queryPrimary("SELECT served_by FROM jdbc_item WHERE name = '" + name + "'");
	}

	private static int countOnPrimary(String name) throws SQLException {
		return queryPrimary("SELECT count(*) FROM jdbc_item WHERE name = '" + name + "'");
	}

	private static int queryPrimary(String sql) throws SQLException {
		try (Connection connection = cluster.cluster().primary().connect();
				Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery(sql)) {
			assertThat(rows.next()).isTrue();
			return rows.getInt(1);
		}
	}

	/**
	 * Spring Data JDBC configured by hand: Spring Boot's auto-configuration of it is not
	 * on the test class path, so the other tests' applications stay as they are.
	 */
	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@EnableJdbcRepositories(basePackageClasses = ItemNodes.class, considerNestedRepositories = true,
			includeFilters = @ComponentScan.Filter(type = FilterType.ASSIGNABLE_TYPE, classes = ItemNodes.class))
	static class App extends AbstractJdbcConfiguration {

	}

	@Table("jdbc_item_node")
	record ItemNode(@Id Long id, String name, boolean standby, int port) {

	}

	interface ItemNodes extends ListCrudRepository<ItemNode, Long> {

		List<ItemNode> findByName(String name);

		@Query("SELECT * FROM jdbc_item_node WHERE name = :name")
		List<ItemNode> named(String name);

		long countByNameAndStandby(String name, boolean standby);

		boolean existsByNameAndStandby(String name, boolean standby);

		@Modifying
		@Query("UPDATE jdbc_item SET served_by = inet_server_port() WHERE name = :name")
		int stamp(String name);

		void deleteByName(String name);

		@Lock(LockMode.PESSIMISTIC_WRITE)
		List<ItemNode> findLockedByName(String name);

		@ReadFromPrimary
		List<ItemNode> findFreshByName(String name);

	}

}

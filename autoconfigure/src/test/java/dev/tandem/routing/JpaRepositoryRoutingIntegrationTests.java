package dev.tandem.routing;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import dev.tandem.ReadFromPrimary;
import dev.tandem.testkit.PostgresClusterExtension;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.LockModeType;
import jakarta.persistence.Table;
import org.hibernate.annotations.Formula;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.persistence.autoconfigure.EntityScan;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.FilterType;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Lock;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.jpa.repository.config.EnableJpaRepositories;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Routing rule 10 with Spring Data JPA on a real primary with one standby: repository
 * reads called without a transaction run on the standby; writes and locks run on the
 * primary; inside a transaction a repository method joins it. Each entity reports the
 * node that read it ({@code @Formula} columns), so every read asks the serving node.
 * Spring Data JPA runs no write or lock without a transaction, so those methods carry
 * {@code @Transactional}, as applications write them.
 */
@SpringBootTest(classes = JpaRepositoryRoutingIntegrationTests.App.class,
		properties = "spring.jpa.hibernate.ddl-auto=none")
@DirtiesContext
class JpaRepositoryRoutingIntegrationTests {

	@RegisterExtension
	static final PostgresClusterExtension cluster = PostgresClusterExtension.withStandbys(1);

	@DynamicPropertySource
	static void tandem(DynamicPropertyRegistry registry) {
		registry.add("tandem.url", cluster::libpqUrl);
	}

	@Autowired
	private Items items;

	@Autowired
	private PlatformTransactionManager transactionManager;

	@BeforeAll
	static void createItems() throws SQLException {
		try (Connection connection = cluster.cluster().primary().connect();
				Statement statement = connection.createStatement()) {
			statement.execute("CREATE TABLE item (id bigserial PRIMARY KEY, name text NOT NULL, served_by int)");
			statement.execute("INSERT INTO item (name) VALUES ('kept'), ('kept'), ('stamped'), ('doomed'), ('locked')");
		}
		cluster.cluster().awaitReplication(Duration.ofSeconds(10));
	}

	@Test
	void derivedQueryRunsOnTheStandby() {
		assertThat(this.items.findByName("kept")).hasSize(2)
			.allSatisfy(JpaRepositoryRoutingIntegrationTests::onStandby);
	}

	@Test
	void queryAnnotatedReadRunsOnTheStandby() {
		assertThat(this.items.named("kept")).hasSize(2).allSatisfy(JpaRepositoryRoutingIntegrationTests::onStandby);
	}

	@Test
	void countAndExistsRunOnTheStandby() {
		assertThat(this.items.countByNameAndStandby("kept", true)).isEqualTo(2);
		assertThat(this.items.existsByNameAndStandby("kept", true)).isTrue();
	}

	@Test
	void crudReadsRunOnTheStandby() {
		Item first = this.items.findByName("kept").get(0);
		assertThat(this.items.findById(first.id)).hasValueSatisfying(JpaRepositoryRoutingIntegrationTests::onStandby);
		assertThat(this.items.findAll()).allSatisfy(JpaRepositoryRoutingIntegrationTests::onStandby);
	}

	@Test
	void modifyingQueryRunsOnThePrimary() throws SQLException {
		assertThat(this.items.stamp("stamped")).isEqualTo(1);
		assertThat(servedBy("stamped")).isEqualTo(cluster.cluster().primary().port());
	}

	@Test
	void derivedDeleteRunsOnThePrimary() {
		assertThat(this.items.deleteByName("doomed")).hasSize(1)
			.allSatisfy(JpaRepositoryRoutingIntegrationTests::onPrimary);
	}

	@Test
	void lockingQueryRunsOnThePrimary() {
		assertThat(this.items.findLockedByName("locked")).hasSize(1)
			.allSatisfy(JpaRepositoryRoutingIntegrationTests::onPrimary);
	}

	@Test
	void readInsideReadWriteTransactionJoinsItOnThePrimary() {
		List<Item> found = new TransactionTemplate(this.transactionManager)
			.execute((status) -> this.items.findByName("kept"));
		assertThat(found).hasSize(2).allSatisfy(JpaRepositoryRoutingIntegrationTests::onPrimary);
	}

	@Test
	void readInsideReadOnlyTransactionJoinsItOnTheStandby() {
		TransactionTemplate readOnly = new TransactionTemplate(this.transactionManager);
		readOnly.setReadOnly(true);
		List<Item> found = readOnly.execute((status) -> this.items.findByName("kept"));
		assertThat(found).hasSize(2).allSatisfy(JpaRepositoryRoutingIntegrationTests::onStandby);
	}

	@Test
	void readFromPrimaryOnARepositoryMethodRunsOnThePrimary() {
		assertThat(this.items.findFreshByName("kept")).hasSize(2)
			.allSatisfy(JpaRepositoryRoutingIntegrationTests::onPrimary);
	}

	@Test
	void readsRunOnThePrimaryWhenTheRuleIsOff() {
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class)
			.web(WebApplicationType.NONE)
			.properties("tandem.url=" + cluster.libpqUrl(), "spring.jpa.hibernate.ddl-auto=none",
					"tandem.reads.repository-queries=false")
			.run()) {
			Items items = context.getBean(Items.class);
			assertThat(items.findByName("kept")).hasSize(2).allSatisfy(JpaRepositoryRoutingIntegrationTests::onPrimary);
			assertThat(items.countByNameAndStandby("kept", true)).isZero();
		}
	}

	private static void onStandby(Item item) {
		assertThat(item.standby).as("read on a standby").isTrue();
		assertThat(item.port).isEqualTo(cluster.cluster().standbys().get(0).port());
	}

	private static void onPrimary(Item item) {
		assertThat(item.standby).as("read on a standby").isFalse();
		assertThat(item.port).isEqualTo(cluster.cluster().primary().port());
	}

	private static int servedBy(String name) throws SQLException {
		try (Connection connection = cluster.cluster().primary().connect();
				Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery("SELECT served_by FROM item WHERE name = '" + name + "'")) {
			assertThat(rows.next()).isTrue();
			return rows.getInt(1);
		}
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@EntityScan(basePackageClasses = Item.class)
	@EnableJpaRepositories(basePackageClasses = Items.class, considerNestedRepositories = true,
			includeFilters = @ComponentScan.Filter(type = FilterType.ASSIGNABLE_TYPE, classes = Items.class))
	static class App {

	}

	@Entity(name = "RoutedItem")
	@Table(name = "item")
	static class Item {

		@Id
		@GeneratedValue(strategy = GenerationType.IDENTITY)
		Long id;

		String name;

		@Column(name = "served_by")
		Integer servedBy;

		@Formula("pg_is_in_recovery()")
		Boolean standby;

		@Formula("inet_server_port()")
		Integer port;

	}

	interface Items extends JpaRepository<Item, Long> {

		List<Item> findByName(String name);

		@Query("select i from RoutedItem i where i.name = ?1")
		List<Item> named(String name);

		long countByNameAndStandby(String name, boolean standby);

		boolean existsByNameAndStandby(String name, boolean standby);

		@Transactional
		@Modifying
		@Query(value = "UPDATE item SET served_by = inet_server_port() WHERE name = ?1", nativeQuery = true)
		int stamp(String name);

		@Transactional
		List<Item> deleteByName(String name);

		@Transactional
		@Lock(LockModeType.PESSIMISTIC_WRITE)
		List<Item> findLockedByName(String name);

		@ReadFromPrimary
		List<Item> findFreshByName(String name);

	}

}

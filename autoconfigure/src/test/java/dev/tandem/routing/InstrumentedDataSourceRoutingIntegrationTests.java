package dev.tandem.routing;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import javax.sql.DataSource;

import com.p6spy.engine.spy.P6DataSource;
import dev.tandem.ReadFromPrimary;
import dev.tandem.ReadFromReplica;
import dev.tandem.testkit.PostgresClusterExtension;
import jakarta.persistence.Entity;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Id;
import jakarta.persistence.PersistenceContext;
import jakarta.persistence.Table;
import net.ttddyy.dsproxy.proxy.jdk.DataSourceInvocationHandler;
import net.ttddyy.dsproxy.support.ProxyDataSource;
import net.ttddyy.dsproxy.support.ProxyDataSourceBuilder;
import org.assertj.core.api.SoftAssertions;
import org.hibernate.annotations.Formula;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.persistence.autoconfigure.EntityScan;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.FilterType;
import org.springframework.context.annotation.Import;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.jpa.repository.config.EnableJpaRepositories;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.LazyConnectionDataSourceProxy;
import org.springframework.orm.jpa.JpaTransactionManager;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Routing rules 1 to 10 with the application's {@code DataSource} wrapped by the usual
 * JDBC instrumentation: datasource-micrometer's auto-configuration, a datasource-proxy
 * {@code ProxyDataSource} and a p6spy {@code P6DataSource}, each put around Tandem's
 * {@code DataSource} as applications do. Some of them ask a new connection for its
 * metadata before the transaction's read-only flag is known; the rules must still hold.
 * Each wrapper gets an application with {@code DataSourceTransactionManager} (rules 1, 3
 * to 9) and one with JPA (rules 2 and 10), on one shared primary with one standby.
 */
class InstrumentedDataSourceRoutingIntegrationTests {

	static final String WITHOUT_JPA = "spring.autoconfigure.exclude="
			+ "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration,"
			+ "org.springframework.boot.data.jpa.autoconfigure.DataJpaRepositoriesAutoConfiguration";

	@RegisterExtension
	static final PostgresClusterExtension cluster = PostgresClusterExtension.withStandbys(1);

	private static final Map<Wrapper, ConfigurableApplicationContext> jdbcApps = new EnumMap<>(Wrapper.class);

	private static final Map<Wrapper, ConfigurableApplicationContext> jpaApps = new EnumMap<>(Wrapper.class);

	/** The instrumentation put around Tandem's {@code DataSource}. */
	enum Wrapper {

		/** datasource-micrometer's auto-configuration (datasource-proxy underneath). */
		DATASOURCE_MICROMETER(DataSourceInvocationHandler.class, "jdbc.datasource-proxy.enabled=true"),

		/** A datasource-proxy {@code ProxyDataSource}, from a bean post-processor. */
		DATASOURCE_PROXY(ProxyDataSource.class, "instrumented.wrapper=datasource-proxy"),

		/** A p6spy {@code P6DataSource}, from a bean post-processor. */
		P6SPY(P6DataSource.class, "instrumented.wrapper=p6spy");

		private final Class<?> type;

		private final String property;

		Wrapper(Class<?> type, String property) {
			this.type = type;
			this.property = property;
		}

		/**
		 * Asserts that the application's {@code DataSource} is this wrapper.
		 * @param dataSource the application's {@code DataSource}
		 */
		void assertWraps(DataSource dataSource) {
			Object wrapper = Proxy.isProxyClass(dataSource.getClass()) ? Proxy.getInvocationHandler(dataSource)
					: dataSource;
			assertThat(wrapper).isInstanceOf(this.type);
		}

	}

	@BeforeAll
	static void createItems() throws SQLException {
		// p6spy writes a log file in the working directory unless told otherwise
		System.setProperty("p6spy.config.appender", "com.p6spy.engine.spy.appender.Slf4JLogger");
		try (Connection connection = cluster.cluster().primary().connect();
				Statement statement = connection.createStatement()) {
			statement
				.execute("CREATE TABLE instrumented_item (id bigint PRIMARY KEY, name text NOT NULL, served_by int)");
			statement.execute("INSERT INTO instrumented_item (id, name) VALUES (1, 'kept'), (2, 'stamped')");
		}
		cluster.cluster().awaitReplication(Duration.ofSeconds(10));
	}

	@AfterAll
	static void close() {
		jdbcApps.values().forEach(ConfigurableApplicationContext::close);
		jpaApps.values().forEach(ConfigurableApplicationContext::close);
	}

	// Rules 1, 3 to 9, with DataSourceTransactionManager
	@ParameterizedTest
	@EnumSource(Wrapper.class)
	void jdbcRulesHold(Wrapper wrapper) {
		SoftAssertions softly = new SoftAssertions();
		ConfigurableApplicationContext app = jdbcApps.computeIfAbsent(wrapper,
				(key) -> start(key, JdbcApp.class, WITHOUT_JPA));
		wrapper.assertWraps(app.getBean(DataSource.class));
		assertThat(app.getBean(PlatformTransactionManager.class)).isInstanceOf(DataSourceTransactionManager.class);
		RoutingIntegrationTests.Reads reads = app.getBean(RoutingIntegrationTests.Reads.class);
		RoutingIntegrationTests.Writes writes = app.getBean(RoutingIntegrationTests.Writes.class);
		JdbcTemplate jdbc = app.getBean(JdbcTemplate.class);
		// 1
		assertOnStandby(softly, "1: @Transactional(readOnly = true)", reads.readOnly());
		// 3
		TransactionTemplate readOnly = new TransactionTemplate(app.getBean(PlatformTransactionManager.class));
		readOnly.setReadOnly(true);
		assertOnStandby(softly, "3: read-only TransactionTemplate",
				readOnly.execute((status) -> ServingNode.ask(jdbc)));
		// 4
		List<ServingNode> joined = writes.readWriteCallingReadOnly();
		assertOnPrimary(softly, "4: read-write transaction", joined.get(0));
		softly.assertThat(joined.get(1)).as("4: read-only method inside it, same connection").isEqualTo(joined.get(0));
		// 5
		List<ServingNode> requiresNew = reads.readOnlyCallingRequiresNewWrite();
		assertOnStandby(softly, "5: read-only transaction", requiresNew.get(0));
		assertOnPrimary(softly, "5: REQUIRES_NEW write inside it", requiresNew.get(1));
		softly.assertThat(requiresNew.get(2)).as("5: back in the read-only transaction").isEqualTo(requiresNew.get(0));
		// 6
		assertOnPrimary(softly, "6: plain JdbcTemplate", ServingNode.ask(jdbc));
		assertOnStandby(softly, "6: @ReadFromReplica", reads.nonTransactionalFromReplica());
		// 7 (the first of these applications ran the migrations, through its wrapper)
		softly.assertThat(jdbc.queryForObject("SELECT in_recovery FROM flyway_origin", Boolean.class))
			.as("7: Flyway ran on a standby")
			.isFalse();
		// 8
		String countWrites = "SELECT count(*) FROM note WHERE body = 'must not exist'";
		long writesBefore = jdbc.queryForObject(countWrites, Long.class);
		softly.assertThat(ClusterWork.sqlStateOf(reads::writeInReadOnly))
			.as("8: write in a read-only transaction")
			.isEqualTo("25006");
		softly
			.assertThat(ClusterWork.sqlStateOf(() -> readOnly
				.executeWithoutResult((status) -> jdbc.update("INSERT INTO note (body) VALUES ('must not exist')"))))
			.as("8: write in a read-only TransactionTemplate")
			.isEqualTo("25006");
		softly.assertThat(jdbc.queryForObject(countWrites, Long.class)).as("8: no write ran").isEqualTo(writesBefore);
		// 9
		assertOnPrimary(softly, "9: @ReadFromPrimary read-only transaction", reads.readOnlyFromPrimary());
		assertOnPrimary(softly, "9: @ReadFromPrimary without a transaction",
				app.getBean(RoutingIntegrationTests.PrimaryReads.class).read());
		List<ServingNode> inside = reads.readOnlyCallingReadFromPrimary();
		assertOnStandby(softly, "9: read-only transaction", inside.get(0));
		assertOnPrimary(softly, "9: @ReadFromPrimary inside it", inside.get(1));
		softly.assertAll();
	}

	// Rules 2 and 10, with JpaTransactionManager and Spring Data JPA
	@ParameterizedTest
	@EnumSource(Wrapper.class)
	void jpaRulesHold(Wrapper wrapper) {
		SoftAssertions softly = new SoftAssertions();
		ConfigurableApplicationContext app = jpaApps.computeIfAbsent(wrapper,
				(key) -> start(key, JpaApp.class, "spring.jpa.hibernate.ddl-auto=none"));
		wrapper.assertWraps(app.getBean(DataSource.class));
		PlatformTransactionManager transactionManager = app.getBean(PlatformTransactionManager.class);
		assertThat(transactionManager).isInstanceOf(JpaTransactionManager.class);
		EntityReads reads = app.getBean(EntityReads.class);
		// 2
		assertOnStandby(softly, "2: @Transactional(readOnly = true) with JPA", reads.readOnly());
		TransactionTemplate readOnly = new TransactionTemplate(transactionManager);
		readOnly.setReadOnly(true);
		assertOnStandby(softly, "2: read-only TransactionTemplate with JPA",
				readOnly.execute((status) -> reads.node()));
		// 10
		InstrumentedItems items = app.getBean(InstrumentedItems.class);
		softly.assertThat(items.findByName("kept"))
			.singleElement()
			.satisfies((item) -> assertOnStandby(softly, "10: derived query", item.node()));
		softly.assertThat(items.countByNameAndStandby("kept", true)).as("10: count on a standby").isOne();
		softly.assertThat(items.stamp("stamped")).as("10: @Modifying").isOne();
		softly
			.assertThat(new JdbcTemplate(app.getBean(DataSource.class))
				.queryForObject("SELECT served_by FROM instrumented_item WHERE name = 'stamped'", Integer.class))
			.as("10: @Modifying ran on the primary")
			.isEqualTo(cluster.cluster().primary().port());
		softly.assertAll();
	}

	private static ConfigurableApplicationContext start(Wrapper wrapper, Class<?> app, String property) {
		return new SpringApplicationBuilder(app).web(WebApplicationType.NONE)
			.properties("tandem.url=" + cluster.libpqUrl(), property)
			.run("--" + wrapper.property);
	}

	private static void assertOnStandby(SoftAssertions softly, String rule, ServingNode node) {
		softly.assertThat(node.standby()).as(rule + ": on a standby").isTrue();
		softly.assertThat(node.port()).as(rule).isEqualTo(cluster.cluster().standbys().get(0).port());
	}

	private static void assertOnPrimary(SoftAssertions softly, String rule, ServingNode node) {
		softly.assertThat(node.standby()).as(rule + ": on the primary").isFalse();
		softly.assertThat(node.port()).as(rule).isEqualTo(cluster.cluster().primary().port());
	}

	/**
	 * Wraps the application's {@code DataSource} as applications do with a bean
	 * post-processor, when {@code instrumented.wrapper} names a wrapper.
	 */
	@Configuration(proxyBeanMethods = false)
	static class Instrumentation {

		@Bean
		static BeanPostProcessor instrumentedDataSource(org.springframework.core.env.Environment environment) {
			String wrapper = environment.getProperty("instrumented.wrapper", "");
			Function<DataSource, DataSource> wrap = switch (wrapper) {
				case "datasource-proxy" -> (dataSource) -> ProxyDataSourceBuilder.create("tandem", dataSource)
					.logQueryBySlf4j()
					.countQuery()
					.retrieveIsolation()
					.build();
				case "p6spy" -> P6DataSource::new;
				default -> Function.identity();
			};
			return new BeanPostProcessor() {

				@Override
				public Object postProcessAfterInitialization(Object bean, String beanName) {
					return (bean instanceof LazyConnectionDataSourceProxy dataSource) ? wrap.apply(dataSource) : bean;
				}

			};
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	// Rules 1 and 3-9 through the services of RoutingIntegrationTests.
	@Import({ Instrumentation.class, RoutingIntegrationTests.Reads.class, RoutingIntegrationTests.Writes.class,
			RoutingIntegrationTests.PrimaryReads.class })
	static class JdbcApp {

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@Import({ Instrumentation.class, EntityReads.class })
	@EntityScan(basePackageClasses = InstrumentedItem.class)
	@EnableJpaRepositories(basePackageClasses = InstrumentedItems.class, considerNestedRepositories = true,
			includeFilters = @ComponentScan.Filter(type = FilterType.ASSIGNABLE_TYPE,
					classes = InstrumentedItems.class))
	static class JpaApp {

	}

	@Service
	static class EntityReads {

		@PersistenceContext
		private EntityManager entityManager;

		@Transactional(readOnly = true)
		public ServingNode readOnly() {
			return node();
		}

		ServingNode node() {
			return this.entityManager.find(InstrumentedItem.class, 1L).node();
		}

	}

	@Entity(name = "InstrumentedItem")
	@Table(name = "instrumented_item")
	static class InstrumentedItem {

		@Id
		Long id;

		String name;

		@Formula("pg_is_in_recovery()")
		Boolean standby;

		@Formula("inet_server_port()")
		Integer port;

		@Formula("pg_backend_pid()")
		Integer backendPid;

		ServingNode node() {
			return new ServingNode(this.standby, this.port, this.backendPid);
		}

	}

	interface InstrumentedItems extends JpaRepository<InstrumentedItem, Long> {

		List<InstrumentedItem> findByName(String name);

		long countByNameAndStandby(String name, boolean standby);

		@Transactional
		@Modifying
		@Query(value = "UPDATE instrumented_item SET served_by = inet_server_port() WHERE name = ?1",
				nativeQuery = true)
		int stamp(String name);

	}

}

package dev.tandem.actuate;

import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.function.ToIntFunction;

import dev.tandem.ReadFromPrimary;
import dev.tandem.autoconfigure.TandemAutoConfiguration;
import dev.tandem.autoconfigure.TandemMetricsAutoConfiguration;
import dev.tandem.autoconfigure.TandemObservationAutoConfiguration;
import dev.tandem.consistency.ConsistencyKey;
import dev.tandem.consistency.ConsistencyMode;
import dev.tandem.routing.ClusterWork;
import dev.tandem.routing.Route;
import dev.tandem.routing.RouteReason;
import dev.tandem.testkit.PostgresCluster;
import dev.tandem.testkit.PostgresClusterExtension;
import dev.tandem.testkit.PostgresNode;
import io.micrometer.common.KeyValues;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Observations of routed connections on a real primary with two standbys, in a real
 * {@link TestObservationRegistry}: each observation names the node that served the work,
 * as the node itself reports it ({@code inet_server_port()}).
 */
class RoutingObservationsIntegrationTests {

	@RegisterExtension
	static final PostgresClusterExtension cluster = PostgresClusterExtension.withStandbys(2);

	private static final String NAME = DefaultRouteObservationConvention.NAME;

	@BeforeAll
	static void createTable() throws SQLException {
		try (Connection connection = cluster.cluster().primary().connect();
				Statement statement = connection.createStatement()) {
			statement.execute("CREATE TABLE observed (id bigserial PRIMARY KEY, owner text NOT NULL)");
		}
	}

	private static ConfigurableApplicationContext shared;

	@BeforeAll
	static void start() {
		shared = new SpringApplicationBuilder(SharedApp.class).web(WebApplicationType.NONE)
			.properties("tandem.url=" + cluster.libpqUrl())
			.run();
	}

	@AfterAll
	static void stop() {
		if (shared != null) {
			shared.close();
		}
	}

	@BeforeEach
	void clearObservations() {
		registry().clear();
	}

	@AfterEach
	void resumeReplay() {
		cluster.cluster().standbys().forEach(PostgresNode::resumeReplay);
	}

	private static TestObservationRegistry registry() {
		return shared.getBean(TestObservationRegistry.class);
	}

	private static Work work() {
		return shared.getBean(Work.class);
	}

	private static ApplicationContextRunner runner() {
		return ClusterWork.runner(cluster.libpqUrl(), App.class)
			.withConfiguration(AutoConfigurations.of(TandemMetricsAutoConfiguration.class,
					TandemObservationAutoConfiguration.class));
	}

	@Test
	void readOnlyTransactionIsObservedOnTheStandbyThatServedItUnderTheCurrentObservation() {
		TestObservationRegistry registry = registry();
		MeterRegistry meters = shared.getBean(MeterRegistry.class);
		double counted = standbyDecisions(meters);
		int port = Observation.createNotStarted("request", registry).observe(work()::read);
		assertThat(port).isIn(standbyPorts());
		assertThat(registry).hasNumberOfObservationsWithNameEqualTo(NAME, 1)
			.hasObservationWithNameEqualTo(NAME)
			.that()
			.hasBeenStarted()
			.hasBeenStopped()
			.hasContextualNameEqualTo("tandem standby")
			.hasLowCardinalityKeyValue("target", "standby")
			.hasLowCardinalityKeyValue("reason", "read-only")
			.hasLowCardinalityKeyValue("mode", "lsn")
			.hasHighCardinalityKeyValue("node", "127.0.0.1:" + port)
			.hasParentObservationContextMatching((parent) -> "request".equals(parent.getName()));
		// The routing meters still count: every RoutingObserver hears the decision.
		assertThat(standbyDecisions(meters)).isEqualTo(counted + 1);
	}

	@Test
	void writeIsObservedOnThePrimary() {
		int port = observedOnce(Work::write, "primary", "write");
		assertThat(port).isEqualTo(primaryPort());
	}

	@Test
	void readFromPrimaryIsObservedOnThePrimaryWithItsReason() {
		int port = observedOnce(Work::readFromPrimary, "primary", "read-from-primary");
		assertThat(port).isEqualTo(primaryPort());
	}

	@Test
	void workWithoutATransactionIsObservedOnThePrimary() {
		int port = observedOnce(Work::withoutTransaction, "primary", "no-transaction");
		assertThat(port).isEqualTo(primaryPort());
	}

	@Test
	void keyedReadAfterAWriteWithReplayPausedIsObservedOnThePrimaryWithTheMarkerReason() throws Exception {
		cluster.cluster().standbys().forEach(PostgresNode::pauseReplay);
		TestObservationRegistry registry = registry();
		Work work = work();
		int[] served = ConsistencyKey.callWith("observed-user", () -> {
			long id = work.insert("observed-user");
			registry.clear();
			return work.find(id);
		});
		assertThat(served[0]).as("the read sees its write").isOne();
		assertThat(served[1]).isEqualTo(primaryPort());
		assertThat(registry).hasSingleObservationThat()
			.hasNameEqualTo(NAME)
			.hasBeenStopped()
			.hasLowCardinalityKeyValue("target", "primary")
			.hasLowCardinalityKeyValue("reason", "marker")
			.hasLowCardinalityKeyValue("mode", "lsn")
			.hasHighCardinalityKeyValue("node", "127.0.0.1:" + served[1]);
	}

	@Test
	void conventionBeanReplacesTheDefault() {
		runner().withBean(RouteObservationConvention.class, AppConvention::new).run((context) -> {
			TestObservationRegistry registry = context.getBean(TestObservationRegistry.class);
			int port = context.getBean(Work.class).read();
			assertThat(registry).hasSingleObservationThat()
				.hasNameEqualTo("app.route")
				.hasLowCardinalityKeyValue("served-by", String.valueOf(port));
		});
	}

	@Test
	void observationsDisabledObserveNothingAndRoutingStaysTheSame() {
		runner().withPropertyValues("tandem.observations.enabled=false").run((context) -> {
			TestObservationRegistry registry = context.getBean(TestObservationRegistry.class);
			assertThat(context.getBean(Work.class).read()).isIn(standbyPorts());
			assertThat(registry).doesNotHaveAnyObservation();
		});
	}

	/**
	 * With a no-op registry the observer hands out the connection itself and allocates
	 * nothing, so a read costs what it cost without observations.
	 */
	@Test
	void noopRegistryHandsOutTheConnectionItselfWithoutAllocating() throws SQLException {
		RoutingObservations observations = new RoutingObservations(ObservationRegistry.NOOP, null, ConsistencyMode.LSN);
		com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
		try (Connection connection = cluster.cluster().node(1).connect()) {
			for (int i = 0; i < 10_000; i++) {
				observations.connectionRouted(connection, Route.REPLICA, RouteReason.READ_ONLY, null);
			}
			long before = threads.getCurrentThreadAllocatedBytes();
			Connection handedOut = null;
			for (int i = 0; i < 100_000; i++) {
				handedOut = observations.connectionRouted(connection, Route.REPLICA, RouteReason.READ_ONLY, null);
			}
			long allocated = threads.getCurrentThreadAllocatedBytes() - before;
			assertThat(handedOut).isSameAs(connection);
			// Far less than one byte per call: a wrapper or a context would be dozens.
			assertThat(allocated).isLessThan(16_384);
		}
	}

	/**
	 * Runs one call of the work, asserts it was observed once with the target and reason,
	 * on the node that served it, and returns that node's port.
	 */
	private static int observedOnce(ToIntFunction<Work> call, String target, String reason) {
		TestObservationRegistry registry = registry();
		int port = call.applyAsInt(work());
		assertThat(registry).hasSingleObservationThat()
			.hasNameEqualTo(NAME)
			.hasBeenStarted()
			.hasBeenStopped()
			.hasContextualNameEqualTo("tandem " + target)
			.hasLowCardinalityKeyValue("target", target)
			.hasLowCardinalityKeyValue("reason", reason)
			.hasLowCardinalityKeyValue("mode", "lsn")
			.hasHighCardinalityKeyValue("node", "127.0.0.1:" + port);
		return port;
	}

	private static double standbyDecisions(MeterRegistry meters) {
		return meters.get(TandemMeters.ROUTING_DECISIONS)
			.tag(TandemMeters.TARGET, "standby")
			.tag(TandemMeters.REASON, "standby")
			.counter()
			.count();
	}

	private static int primaryPort() {
		return cluster.cluster().primary().port();
	}

	private static List<Integer> standbyPorts() {
		PostgresCluster postgres = cluster.cluster();
		return postgres.standbys().stream().map(PostgresNode::port).toList();
	}

	/**
	 * {@link App} with the auto-configurations of {@link #runner()}, started once for the
	 * tests that need no other settings.
	 */
	@Configuration(proxyBeanMethods = false)
	@Import(App.class)
	@ImportAutoConfiguration({ TandemAutoConfiguration.class, TransactionAutoConfiguration.class,
			DataSourceTransactionManagerAutoConfiguration.class, JdbcTemplateAutoConfiguration.class,
			TandemMetricsAutoConfiguration.class, TandemObservationAutoConfiguration.class })
	static class SharedApp {

	}

	@Configuration(proxyBeanMethods = false)
	@Import(Work.class)
	static class App {

		@Bean
		TestObservationRegistry observationRegistry() {
			return TestObservationRegistry.create();
		}

		@Bean
		SimpleMeterRegistry meterRegistry() {
			return new SimpleMeterRegistry();
		}

	}

	/** A convention of the application's: another name, and a key of its own. */
	static class AppConvention extends DefaultRouteObservationConvention {

		@Override
		public String getName() {
			return "app.route";
		}

		@Override
		public KeyValues getLowCardinalityKeyValues(RouteObservationContext context) {
			return super.getLowCardinalityKeyValues(context).and("served-by", String.valueOf(context.getNode().port()));
		}

	}

	@Service
	static class Work {

		private static final String PORT = "SELECT inet_server_port()";

		private final JdbcTemplate jdbc;

		Work(JdbcTemplate jdbc) {
			this.jdbc = jdbc;
		}

		@Transactional(readOnly = true)
		public int read() {
			return this.jdbc.queryForObject(PORT, Integer.class);
		}

		@Transactional
		public int write() {
			this.jdbc.update("INSERT INTO observed (owner) VALUES ('write')");
			return this.jdbc.queryForObject(PORT, Integer.class);
		}

		@ReadFromPrimary
		@Transactional(readOnly = true)
		public int readFromPrimary() {
			return this.jdbc.queryForObject(PORT, Integer.class);
		}

		public int withoutTransaction() {
			return this.jdbc.queryForObject(PORT, Integer.class);
		}

		@Transactional
		public long insert(String owner) {
			return this.jdbc.queryForObject("INSERT INTO observed (owner) VALUES (?) RETURNING id", Long.class, owner);
		}

		/** Whether the serving node has the row (1 or 0), and its port. */
		@Transactional(readOnly = true)
		public int[] find(long id) {
			return this.jdbc.queryForObject(
					"SELECT (EXISTS (SELECT 1 FROM observed WHERE id = ?))::int, " + "inet_server_port()",
					(rs, row) -> new int[] { rs.getInt(1), rs.getInt(2) }, id);
		}

	}

}

package dev.tandem.routing;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.tandem.actuate.TandemMeters;
import dev.tandem.autoconfigure.TandemAutoConfiguration;
import dev.tandem.autoconfigure.TandemMetricsAutoConfiguration;
import dev.tandem.testkit.PostgresCluster;
import dev.tandem.testkit.PostgresClusterExtension;
import dev.tandem.testkit.PostgresNode;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * An outermost read-only transaction that loses its node runs again on another; nothing
 * else does.
 */
class ReadRetryIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static final String TERMINATE_MYSELF = "SELECT pg_terminate_backend(pg_backend_pid())";

	@RegisterExtension
	static final PostgresClusterExtension cluster = PostgresClusterExtension.withStandbys(2);

	private static ApplicationContextRunner runner(PostgresCluster postgres) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(TandemAutoConfiguration.class, TransactionAutoConfiguration.class,
					DataSourceTransactionManagerAutoConfiguration.class, JdbcTemplateAutoConfiguration.class))
			.withUserConfiguration(App.class)
			.withPropertyValues("tandem.url=" + postgres.libpqUrl());
	}

	@Test
	void aReadOnlyTransactionWhoseStandbyIsKilledRunsAgainOnTheOtherStandby() throws Exception {
		try (PostgresCluster postgres = PostgresCluster.builder().name("retry-kill").standbys(2).start()) {
			runner(postgres)
				.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
						SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
						TandemMetricsAutoConfiguration.class))
				.run((context) -> {
					Work work = context.getBean(Work.class);
					Record record = context.getBean(Record.class);
					MeterRegistry registry = context.getBean(MeterRegistry.class);
					CompletableFuture<List<ServingNode>> result = CompletableFuture.supplyAsync(work::readAcrossAKill);
					assertThat(record.firstQueried.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
					PostgresNode victim = postgres.nodes()
						.stream()
						.filter((node) -> node.port() == record.victimPort)
						.findFirst()
						.orElseThrow();
					assertThat(victim.isInRecovery()).isTrue();
					victim.kill();
					record.killed.countDown();
					List<ServingNode> served = result.get(WAIT.toSeconds(), TimeUnit.SECONDS);
					assertThat(record.attempts.get()).isEqualTo(2);
					assertThat(served).hasSize(2).allSatisfy((node) -> {
						assertThat(node.standby()).isTrue();
						assertThat(node.port()).isNotEqualTo(victim.port());
					});
					assertThat(served.get(0).backendPid()).isEqualTo(served.get(1).backendPid());
					assertThat(registry.get(TandemMeters.READ_RETRIES).counter().count()).isEqualTo(1);
				});
		}
	}

	@Test
	void aReadOnlyTransactionWhoseSessionIsTerminatedRunsAgain() {
		runner(cluster.cluster()).run((context) -> {
			Work work = context.getBean(Work.class);
			Record record = context.getBean(Record.class);
			ServingNode served = work.readTerminatedOnFirstAttempt();
			assertThat(record.attempts.get()).isEqualTo(2);
			assertThat(served.standby()).isTrue();
		});
	}

	@Test
	void aReadOnlyTransactionRunsOnceWhenRetriesAreOff() {
		runner(cluster.cluster()).withPropertyValues("tandem.retry.read-only-attempts=1").run((context) -> {
			Work work = context.getBean(Work.class);
			Record record = context.getBean(Record.class);
			assertThatExceptionOfType(DataAccessException.class).isThrownBy(work::readTerminatedOnFirstAttempt);
			assertThat(record.attempts.get()).isEqualTo(1);
		});
	}

	@Test
	void aReadOnlyTransactionGivesUpAfterTheConfiguredAttempts() {
		runner(cluster.cluster()).withPropertyValues("tandem.retry.read-only-attempts=3").run((context) -> {
			Work work = context.getBean(Work.class);
			Record record = context.getBean(Record.class);
			assertThatExceptionOfType(DataAccessException.class).isThrownBy(work::readAlwaysTerminated)
				.satisfies((ex) -> assertThat(RoutingInterceptor.nodeLost(ex).getSQLState()).isEqualTo("57P01"));
			assertThat(record.attempts.get()).isEqualTo(3);
		});
	}

	@Test
	void aWriteTransactionIsNeverRunAgain() {
		runner(cluster.cluster()).run((context) -> {
			Work work = context.getBean(Work.class);
			Record record = context.getBean(Record.class);
			assertThatExceptionOfType(DataAccessException.class).isThrownBy(work::writeTerminated);
			assertThat(record.attempts.get()).isEqualTo(1);
		});
	}

	@Test
	void readOnlyWorkInsideAnOuterTransactionRunsAgainOnlyWithTheOuterOne() {
		runner(cluster.cluster()).run((context) -> {
			Outer outer = context.getBean(Outer.class);
			Record record = context.getBean(Record.class);
			assertThatExceptionOfType(DataAccessException.class).isThrownBy(outer::readInside);
			// The outer transaction runs twice; the inner method, which joins it, runs
			// once
			// per outer run and never again on its own.
			assertThat(record.outerAttempts.get()).isEqualTo(2);
			assertThat(record.attempts.get()).isEqualTo(2);
		});
	}

	@Test
	void readOnlyWorkInsideAReadWriteTransactionIsNeverRunAgain() {
		runner(cluster.cluster()).run((context) -> {
			Outer outer = context.getBean(Outer.class);
			Record record = context.getBean(Record.class);
			assertThatExceptionOfType(DataAccessException.class).isThrownBy(outer::readInsideAWrite);
			assertThat(record.outerAttempts.get()).isEqualTo(1);
			assertThat(record.attempts.get()).isEqualTo(1);
		});
	}

	@Configuration(proxyBeanMethods = false)
	@Import({ Work.class, Outer.class })
	static class App {

		@Bean
		Record record() {
			return new Record();
		}

	}

	/** What the services record; a plain bean, so the test reads it without a proxy. */
	static class Record {

		final AtomicInteger attempts = new AtomicInteger();

		final AtomicInteger outerAttempts = new AtomicInteger();

		final CountDownLatch firstQueried = new CountDownLatch(1);

		final CountDownLatch killed = new CountDownLatch(1);

		volatile int victimPort;

	}

	@Service
	static class Work {

		private final JdbcTemplate jdbc;

		private final Record record;

		Work(JdbcTemplate jdbc, Record record) {
			this.jdbc = jdbc;
			this.record = record;
		}

		@Transactional(readOnly = true)
		public List<ServingNode> readAcrossAKill() {
			int attempt = this.record.attempts.incrementAndGet();
			ServingNode first = ServingNode.ask(this.jdbc);
			if (attempt == 1) {
				this.record.victimPort = first.port();
				this.record.firstQueried.countDown();
				try {
					this.record.killed.await(WAIT.toSeconds(), TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
			return List.of(first, ServingNode.ask(this.jdbc));
		}

		@Transactional(readOnly = true)
		public ServingNode readTerminatedOnFirstAttempt() {
			if (this.record.attempts.incrementAndGet() == 1) {
				this.jdbc.queryForObject(TERMINATE_MYSELF, Boolean.class);
			}
			return ServingNode.ask(this.jdbc);
		}

		@Transactional(readOnly = true)
		public ServingNode readAlwaysTerminated() {
			this.record.attempts.incrementAndGet();
			this.jdbc.queryForObject(TERMINATE_MYSELF, Boolean.class);
			return ServingNode.ask(this.jdbc);
		}

		@Transactional
		public void writeTerminated() {
			this.record.attempts.incrementAndGet();
			this.jdbc.update("CREATE TABLE IF NOT EXISTS retried (n int)");
			this.jdbc.queryForObject(TERMINATE_MYSELF, Boolean.class);
		}

	}

	@Service
	static class Outer {

		private final Work work;

		private final Record record;

		Outer(Work work, Record record) {
			this.work = work;
			this.record = record;
		}

		@Transactional
		public ServingNode readInsideAWrite() {
			this.record.outerAttempts.incrementAndGet();
			return this.work.readAlwaysTerminated();
		}

		@Transactional(readOnly = true)
		public ServingNode readInside() {
			this.record.outerAttempts.incrementAndGet();
			return this.work.readAlwaysTerminated();
		}

	}

}

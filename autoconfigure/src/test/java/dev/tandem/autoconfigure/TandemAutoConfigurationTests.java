package dev.tandem.autoconfigure;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.tandem.consistency.ConsistencyKeyResolver;
import dev.tandem.consistency.ConsistencyMode;
import dev.tandem.consistency.DefaultConsistencyKeyResolver;
import dev.tandem.consistency.FallbackMarkerStore;
import dev.tandem.consistency.MarkerStore;
import dev.tandem.consistency.MemoryMarkerStore;
import dev.tandem.consistency.ReadConsistency;
import dev.tandem.pool.TandemPools;
import dev.tandem.routing.InvalidZonesException;
import dev.tandem.routing.ReaderSelector;
import dev.tandem.routing.ZoneHeaderFilter;
import dev.tandem.topology.LagLimit;
import dev.tandem.topology.TopologyMonitor;
import dev.tandem.url.HostAndPort;
import dev.tandem.url.InvalidClusterUrlException;
import dev.tandem.url.ReadTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.LazyConnectionDataSourceProxy;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.springframework.jdbc.datasource.lookup.AbstractRoutingDataSource;
import org.springframework.transaction.PlatformTransactionManager;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link TandemAutoConfiguration}: every condition and every property check,
 * with no server. The URL names ports where nothing listens, which startup allows (a node
 * that is down must not stop the application). What the data source does on a real
 * cluster is in {@link TandemAutoConfigurationIntegrationTests}.
 */
@ExtendWith(OutputCaptureExtension.class)
class TandemAutoConfigurationTests {

	/** Three nodes where nothing listens. */
	static final String URL = "postgresql://app:secret@127.0.0.1:1,127.0.0.1:2,127.0.0.1:3/db";

	private static final HostAndPort STANDBY = new HostAndPort("127.0.0.1", 2);

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(TandemAutoConfiguration.class, DataSourceAutoConfiguration.class,
				TransactionAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class));

	@Test
	void runWithUrlBuildsRoutingDataSourceWithoutReachingAnyNode() {
		this.runner.withPropertyValues("tandem.url=" + URL).run((context) -> {
			assertThat(context).hasSingleBean(DataSource.class)
				.hasSingleBean(TandemPools.class)
				.hasSingleBean(TopologyMonitor.class);
			DataSource dataSource = context.getBean(DataSource.class);
			assertThat(dataSource).isInstanceOf(LazyConnectionDataSourceProxy.class);
			assertThat(dataSource.unwrap(AbstractRoutingDataSource.class).getResolvedDataSources().keySet())
				.map(Object::toString)
				.containsExactlyInAnyOrder("writer", "reader");
			assertThat(context.getBean(TopologyMonitor.class).snapshot().nodes()).hasSize(3);
			assertThat(context.getBean(TandemPools.class).writer().getPoolName()).isEqualTo("tandem-writer");
		});
	}

	@Test
	void runWithDatabaseUrlTakesTheClusterFromIt() {
		this.runner.withPropertyValues("DATABASE_URL=" + URL).run((context) -> {
			assertThat(context).hasNotFailed();
			TandemClusters clusters = context.getBean(TandemClusters.class);
			assertThat(clusters.writer().property()).isEqualTo("DATABASE_URL");
			assertThat(clusters.writer().hosts()).hasSize(3);
		});
	}

	@Test
	void runWithSpringDatasourceUrlTakesTheClusterAndItsCredentialsFromIt() {
		this.runner
			.withPropertyValues("spring.datasource.url=jdbc:postgresql://127.0.0.1:1,127.0.0.1:2/db",
					"spring.datasource.username=app", "spring.datasource.password=secret")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				TandemClusters clusters = context.getBean(TandemClusters.class);
				assertThat(clusters.writer().property()).isEqualTo("spring.datasource.url");
				assertThat(clusters.writer().hosts()).hasSize(2);
				assertThat(clusters.writer().username()).isEqualTo("app");
				assertThat(clusters.writer().password()).isEqualTo("secret");
			});
	}

	@Test
	void runWhenDisabledBacksOffAndLetsBootBuildTheDataSource() {
		this.runner
			.withPropertyValues("tandem.enabled=false", "tandem.url=" + URL,
					"spring.datasource.url=jdbc:postgresql://127.0.0.1:1/db", "spring.datasource.username=app",
					"spring.datasource.password=secret")
			.run((context) -> {
				assertThat(context).doesNotHaveBean(TandemPools.class).doesNotHaveBean(TopologyMonitor.class);
				assertThat(context).getBean(DataSource.class).isInstanceOf(HikariDataSource.class);
			});
	}

	@Test
	void runWithUserDefinedDataSourceBacksOff() {
		this.runner.withPropertyValues("tandem.url=" + URL)
			.withUserConfiguration(UserDataSource.class)
			.run((context) -> {
				assertThat(context).doesNotHaveBean(TandemPools.class);
				assertThat(context).getBean(DataSource.class).isInstanceOf(SimpleDriverDataSource.class);
			});
	}

	@Test
	void runWithoutAnyUrlFailsWithAnalyzedFailure() {
		this.runner.run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause().isInstanceOf(ClusterUrlMissingException.class);
			FailureAnalysis analysis = analyze(new ClusterUrlMissingFailureAnalyzer(), context.getStartupFailure());
			assertThat(analysis.getDescription()).contains("tandem.url", "DATABASE_URL", "spring.datasource.url");
			assertThat(analysis.getAction()).contains("Set 'tandem.url'", "tandem.enabled=false");
		});
	}

	@Test
	void runWithAMisspeltZoneFailsNamingItAndTheKnownZones() {
		this.runner
			.withPropertyValues("tandem.url=" + URL, "tandem.zones.eu-west=127.0.0.1:2",
					"tandem.zones.us-east=127.0.0.1:3", "tandem.reads.zone=eu-wset")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause().isInstanceOf(InvalidZonesException.class);
				FailureAnalysis analysis = analyze(new InvalidZonesFailureAnalyzer(), context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("tandem.reads.zone", "'eu-wset'", "[eu-west, us-east]");
				assertThat(analysis.getAction()).contains("tandem.zones.");
			});
	}

	@Test
	void runWithAZoneHostNotInTheUrlFailsNamingIt() {
		this.runner.withPropertyValues("tandem.url=" + URL, "tandem.zones.a=127.0.0.1:9").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidZonesException.class)
				.hasMessageContaining("tandem.zones.a: '127.0.0.1:9' is not a node of the cluster URL");
		});
	}

	@Test
	void runWithZonesGivesTheSelectorTheZonesAndTheHeaderFilterOnlyInAWebApplication() {
		this.runner
			.withPropertyValues("tandem.url=" + URL, "tandem.zones.a=127.0.0.1:2", "tandem.reads.zone=a",
					"tandem.reads.zone-header=X-Zone")
			.run((context) -> {
				assertThat(context.getBean(ReaderSelector.class).zones().home()).isEqualTo("a");
				assertThat(context).doesNotHaveBean(ZoneHeaderFilter.class);
			});
	}

	@Test
	void runWithReaderUrlOnlyFailsNamingTheMissingWriterUrl() {
		this.runner.withPropertyValues("tandem.reader.url=" + URL).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(ClusterUrlMissingException.class)
				.hasMessageContaining("tandem.writer.url");
		});
	}

	@Test
	void runWithInvalidUrlFailsWithMaskedAnalyzedFailure() {
		this.runner.withPropertyValues("tandem.url=postgresql://app:s3cr3t@h1:54x2/db").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause().isInstanceOf(InvalidClusterUrlException.class);
			FailureAnalysis analysis = analyze(new InvalidClusterUrlFailureAnalyzer(), context.getStartupFailure());
			assertThat(analysis.getDescription()).contains("tandem.url", "54x2").doesNotContain("s3cr3t");
			assertThat(analysis.getAction()).contains("Fix 'tandem.url'");
			assertThat(context.getStartupFailure()).satisfies((ex) -> {
				for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
					assertThat(String.valueOf(cause.getMessage())).doesNotContain("s3cr3t");
				}
			});
		});
	}

	@Test
	void runWithTargetSessionAttrsSetsTheReadTarget() {
		this.runner.withPropertyValues("tandem.url=" + URL + "?target_session_attrs=read-only")
			.run((context) -> assertThat(context.getBean(ReaderSelector.class).target()).isEqualTo(ReadTarget.STANDBY));
	}

	@Test
	void runWithReadsTargetPropertyOverridesTheUrl() {
		this.runner
			.withPropertyValues("tandem.url=" + URL + "?target_session_attrs=read-only",
					"tandem.reads.target=prefer-primary")
			.run((context) -> assertThat(context.getBean(ReaderSelector.class).target())
				.isEqualTo(ReadTarget.PREFER_PRIMARY));
	}

	@Test
	void runWithHikariSettingsAppliesThemPerSide() {
		this.runner
			.withPropertyValues("tandem.url=" + URL, "tandem.writer.hikari.maximum-pool-size=3",
					"tandem.reader.hikari.maximumPoolSize=4")
			.run((context) -> {
				TandemPools pools = context.getBean(TandemPools.class);
				assertThat(pools.writer().getMaximumPoolSize()).isEqualTo(3);
				HikariDataSource reader = pools.reader(STANDBY);
				assertThat(reader.getMaximumPoolSize()).isEqualTo(4);
				assertThat(reader.getPoolName()).isEqualTo("tandem-reader-127.0.0.1-2");
			});
	}

	@Test
	void runWithoutTimeoutSettingsUsesTandemsDefaults() {
		this.runner.withPropertyValues("tandem.url=" + URL).run((context) -> {
			TandemPools pools = context.getBean(TandemPools.class);
			assertThat(pools.writer().getConnectionTimeout()).isEqualTo(3000);
			assertThat(pools.writer().getValidationTimeout()).isEqualTo(1000);
			assertThat(pools.writer().getKeepaliveTime()).isEqualTo(30_000);
			HikariDataSource reader = pools.reader(STANDBY);
			assertThat(reader.getConnectionTimeout()).isEqualTo(2000);
			assertThat(reader.getDataSourceProperties()).containsEntry("connectTimeout", "2")
				.containsEntry("loginTimeout", "3")
				.containsEntry("tcpKeepAlive", "true");
			TopologyMonitor monitor = context.getBean(TopologyMonitor.class);
			assertThat(monitor.lagLimit()).isEqualTo(new LagLimit(Duration.ofSeconds(5), null));
		});
	}

	@Test
	void runWithTimeoutSettingsOverridesTandemsDefaults() {
		this.runner
			.withPropertyValues("tandem.url=" + URL + "?connect_timeout=7",
					"tandem.writer.hikari.connection-timeout=5000", "tandem.reader.hikari.connection-timeout=4000",
					"tandem.reads.max-lag=0", "tandem.reads.max-lag-bytes=16MB")
			.run((context) -> {
				TandemPools pools = context.getBean(TandemPools.class);
				assertThat(pools.writer().getConnectionTimeout()).isEqualTo(5000);
				HikariDataSource reader = pools.reader(STANDBY);
				assertThat(reader.getConnectionTimeout()).isEqualTo(4000);
				assertThat(reader.getDataSourceProperties()).containsEntry("connectTimeout", "7");
				assertThat(context.getBean(TopologyMonitor.class).lagLimit())
					.isEqualTo(new LagLimit(Duration.ZERO, 16L * 1024 * 1024));
			});
	}

	@Test
	void runWithNegativeMaxLagFailsNamingTheProperty() {
		this.runner.withPropertyValues("tandem.url=" + URL, "tandem.reads.max-lag=-1s").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("tandem.reads.max-lag must be zero (no limit) or positive");
		});
	}

	@Test
	void runWithNoReadOnlyAttemptFailsNamingTheProperty() {
		this.runner.withPropertyValues("tandem.url=" + URL, "tandem.retry.read-only-attempts=0").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("tandem.retry.read-only-attempts must be at least 1, was 0");
		});
	}

	@Test
	void runWithDefaultsHasMemoryMarkersInLsnMode() {
		this.runner.withPropertyValues("tandem.url=" + URL).run((context) -> {
			ReadConsistency consistency = context.getBean(ReadConsistency.class);
			assertThat(consistency.mode()).isEqualTo(ConsistencyMode.LSN);
			assertThat(consistency.ttl()).isEqualTo(Duration.ofSeconds(10));
			assertThat(consistency.maxWait()).isEqualTo(Duration.ofMillis(100));
			assertThat(context).getBean(MarkerStore.class).isInstanceOf(MemoryMarkerStore.class);
			assertThat(context).getBean(ConsistencyKeyResolver.class).isInstanceOf(DefaultConsistencyKeyResolver.class);
		});
	}

	@Test
	void runWithARedisConnectionFactoryKeepsMarkersInRedis() {
		this.runner.withPropertyValues("tandem.url=" + URL)
			.withBean(RedisConnectionFactory.class, () -> new LettuceConnectionFactory("127.0.0.1", 1))
			.run((context) -> {
				assertThat(context).getBean(MarkerStore.class).isInstanceOf(FallbackMarkerStore.class);
				assertThat(context.getBean(MarkerStore.class).name()).isEqualTo("redis");
			});
	}

	@Test
	void runWithMemoryStoreIgnoresRedis() {
		this.runner.withPropertyValues("tandem.url=" + URL, "tandem.consistency.store=memory")
			.withBean(RedisConnectionFactory.class, () -> new LettuceConnectionFactory("127.0.0.1", 1))
			.run((context) -> assertThat(context).getBean(MarkerStore.class).isInstanceOf(MemoryMarkerStore.class));
	}

	@Test
	void runWithRedisStoreButNoConnectionFactoryFailsSayingWhatToAdd() {
		this.runner.withPropertyValues("tandem.url=" + URL, "tandem.consistency.store=redis").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(MarkerStoreUnavailableException.class)
				.hasMessageContaining("tandem.consistency.store is 'redis' but the application has no single "
						+ "RedisConnectionFactory bean");
		});
	}

	@Test
	void runWithRedisStoreButNoSpringDataRedisFailsSayingSo() {
		this.runner.withPropertyValues("tandem.url=" + URL, "tandem.consistency.store=redis")
			.withClassLoader(new FilteredClassLoader("org.springframework.data.redis"))
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.hasMessageContaining("Spring Data Redis is not on the classpath");
			});
	}

	@Test
	void runWithoutSpringDataRedisKeepsMarkersInMemory() {
		this.runner.withPropertyValues("tandem.url=" + URL)
			.withClassLoader(new FilteredClassLoader("org.springframework.data.redis"))
			.run((context) -> assertThat(context).getBean(MarkerStore.class).isInstanceOf(MemoryMarkerStore.class));
	}

	@Test
	void runWithAConsistencyKeyResolverOfTheApplicationUsesIt() {
		this.runner.withPropertyValues("tandem.url=" + URL)
			.withBean("tenantKeys", ConsistencyKeyResolver.class, () -> () -> "tenant-1")
			.run((context) -> assertThat(context.getBean(ConsistencyKeyResolver.class).resolve())
				.isEqualTo("tenant-1"));
	}

	@Test
	void runWithATtlShorterThanMaxLagPlusTwoChecksFailsNamingTheProperties() {
		this.runner
			.withPropertyValues("tandem.url=" + URL, "tandem.consistency.ttl=6s", "tandem.reads.max-lag=5s",
					"tandem.topology.check-interval=1s")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.isInstanceOf(InvalidConsistencySettingsException.class)
					.hasMessageContaining("tandem.consistency.ttl (PT6S) must be at least tandem.reads.max-lag (PT5S)")
					.hasMessageContaining("= PT7S");
			});
	}

	@Test
	void runWithATokenSecretShorterThanSixteenCharactersFailsNamingThePropertyButNotTheSecret() {
		this.runner.withPropertyValues("tandem.url=" + URL, "tandem.consistency.token-secret=hunter2")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.isInstanceOf(InvalidConsistencySettingsException.class)
					.hasMessageContaining("tandem.consistency.token-secret (****** masked, 7 characters)")
					.hasMessageContaining("at least 16 characters")
					.hasMessageNotContaining("hunter2");
			});
	}

	@Test
	void runWithATokenSecretStarts() {
		this.runner.withPropertyValues("tandem.url=" + URL, "tandem.consistency.token-secret=0123456789abcdef")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void runWithATtlTooShortButConsistencyOffStarts() {
		this.runner.withPropertyValues("tandem.url=" + URL, "tandem.consistency.ttl=1s", "tandem.consistency.mode=off")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void runWithNoLagLimitWarnsThatReadYourWritesEndsWithTheTtl(CapturedOutput output) {
		this.runner.withPropertyValues("tandem.url=" + URL, "tandem.reads.max-lag=0")
			.run((context) -> assertThat(context).hasNotFailed());
		assertThat(output)
			.contains("tandem.reads.max-lag is 0 (no lag limit): read-your-writes holds only while a marker lives");
	}

	@Test
	void runWithMisspeltHikariSettingFailsNamingIt() {
		this.runner.withPropertyValues("tandem.url=" + URL, "tandem.writer.hikari.maximum-pol-size=3")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("maximum-pol-size");
			});
	}

	@Test
	void runWithWriterAutoCommitAndIsolationSettingsTheDataSourceReportsThem() throws Exception {
		// The routing DataSource answers before it borrows a connection; it answered
		// auto-commit on and read committed whatever the pools were set to.
		this.runner
			.withPropertyValues("tandem.url=" + URL, "tandem.writer.hikari.auto-commit=false",
					"tandem.writer.hikari.transaction-isolation=TRANSACTION_SERIALIZABLE")
			.run((context) -> {
				DataSource dataSource = context.getBean(DataSource.class);
				try (Connection connection = dataSource.getConnection()) {
					assertThat(connection.getAutoCommit()).isFalse();
					assertThat(connection.getTransactionIsolation()).isEqualTo(Connection.TRANSACTION_SERIALIZABLE);
				}
				assertThat(context.getBean(TandemPools.class).writer().isAutoCommit()).isFalse();
			});
	}

	@Test
	void runWithMisspeltReaderHikariSettingFailsAtStartup() {
		// Reader pools are made on first use; their settings are checked at startup.
		this.runner.withPropertyValues("tandem.url=" + URL, "tandem.reader.hikari.minimumIdel=3").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageStartingWith("Invalid HikariCP setting tandem.reader.hikari.minimumidel (value '3')");
		});
	}

	@Test
	void runWithAHikariSettingTandemOwnsFailsSayingWhy() {
		this.runner.withPropertyValues("tandem.url=" + URL, "tandem.writer.hikari.jdbc-url=jdbc:postgresql://h/db")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.hasMessage("Invalid HikariCP setting tandem.writer.hikari.jdbc-url: Tandem connects through "
							+ "pgjdbc's driver with the URL of tandem.url, tandem.writer.url or tandem.reader.url");
			});
	}

	@Test
	void runWithNonPositiveCheckIntervalFailsNamingTheProperty() {
		this.runner.withPropertyValues("tandem.url=" + URL, "tandem.topology.check-interval=0s").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("tandem.topology.check-interval must be positive");
		});
	}

	@Test
	void runWithoutJpaUsesJdbcTransactionManager() {
		this.runner.withPropertyValues("tandem.url=" + URL)
			.withClassLoader(new FilteredClassLoader("org.hibernate", "jakarta.persistence"))
			.run((context) -> assertThat(context).getBean(PlatformTransactionManager.class)
				.isInstanceOf(DataSourceTransactionManager.class));
	}

	@Test
	void runWithSpringDataRoutesRepositories() {
		this.runner.withPropertyValues("tandem.url=" + URL)
			.run((context) -> assertThat(context).hasSingleBean(RepositoryRoutingPostProcessor.class));
	}

	@Test
	void runWithoutSpringDataLeavesRepositoryRoutingOut() {
		this.runner.withPropertyValues("tandem.url=" + URL)
			.withClassLoader(new FilteredClassLoader("org.springframework.data"))
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(RepositoryRoutingPostProcessor.class)
				.hasSingleBean(DataSource.class));
	}

	@Test
	void runWithNoNodeReachableStillStarts() throws Exception {
		int closedPort;
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
			closedPort = socket.getLocalPort();
		}
		this.runner.withPropertyValues("tandem.url=postgresql://app:secret@127.0.0.1:" + closedPort + "/db")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(TopologyMonitor.class).snapshot().nodes()).singleElement()
					.satisfies((status) -> assertThat(status.reachable()).isFalse());
			});
	}

	private static FailureAnalysis analyze(FailureAnalyzer analyzer, Throwable failure) {
		FailureAnalysis analysis = analyzer.analyze(failure);
		assertThat(analysis).isNotNull();
		return analysis;
	}

	@Configuration(proxyBeanMethods = false)
	static class UserDataSource {

		@Bean
		DataSource dataSource() throws SQLException {
			return new SimpleDriverDataSource(new org.postgresql.Driver(), "jdbc:postgresql://127.0.0.1:1/db");
		}

	}

}

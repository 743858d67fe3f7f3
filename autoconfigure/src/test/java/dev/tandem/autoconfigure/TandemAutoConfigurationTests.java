package dev.tandem.autoconfigure;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.tandem.ReadFromReplica;
import dev.tandem.consistency.ConsistencyKeyResolver;
import dev.tandem.consistency.ConsistencyMode;
import dev.tandem.consistency.DefaultConsistencyKeyResolver;
import dev.tandem.consistency.FallbackMarkerStore;
import dev.tandem.consistency.MarkerStore;
import dev.tandem.consistency.MemoryMarkerStore;
import dev.tandem.consistency.ReadConsistency;
import dev.tandem.pool.TandemPools;
import dev.tandem.routing.ReaderSelector;
import dev.tandem.testkit.PostgresClusterExtension;
import dev.tandem.testkit.PostgresNode;
import dev.tandem.topology.LagLimit;
import dev.tandem.topology.TopologyMonitor;
import dev.tandem.url.HostAndPort;
import dev.tandem.url.InvalidClusterUrlException;
import dev.tandem.url.ReadTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.LazyConnectionDataSourceProxy;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.springframework.jdbc.datasource.lookup.AbstractRoutingDataSource;
import org.springframework.orm.jpa.JpaTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link TandemAutoConfiguration}: every condition, against a real cluster
 * where a context needs one.
 */
@ExtendWith(OutputCaptureExtension.class)
class TandemAutoConfigurationTests {

	@RegisterExtension
	static final PostgresClusterExtension cluster = PostgresClusterExtension.withStandbys(2);

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(TandemAutoConfiguration.class, DataSourceAutoConfiguration.class,
				TransactionAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class));

	@Test
	void runWithUrlBuildsRoutingDataSource() {
		this.runner.withPropertyValues("tandem.url=" + cluster.libpqUrl()).run((context) -> {
			assertThat(context).hasSingleBean(DataSource.class)
				.hasSingleBean(TandemPools.class)
				.hasSingleBean(TopologyMonitor.class);
			DataSource dataSource = context.getBean(DataSource.class);
			assertThat(dataSource).isInstanceOf(LazyConnectionDataSourceProxy.class);
			assertThat(dataSource.unwrap(AbstractRoutingDataSource.class).getResolvedDataSources().keySet())
				.map(Object::toString)
				.containsExactlyInAnyOrder("writer", "reader");
			assertThat(context.getBean(TopologyMonitor.class).snapshot().standbys()).hasSize(2);
			assertThat(context.getBean(TandemPools.class).writer().getPoolName()).isEqualTo("tandem-writer");
		});
	}

	@Test
	void runWhenDisabledBacksOffAndLetsBootBuildTheDataSource() {
		this.runner
			.withPropertyValues("tandem.enabled=false", "tandem.url=" + cluster.libpqUrl(),
					"spring.datasource.url=" + cluster.cluster().node(0).jdbcUrl(),
					"spring.datasource.username=" + cluster.cluster().username(),
					"spring.datasource.password=" + cluster.cluster().password())
			.run((context) -> {
				assertThat(context).doesNotHaveBean(TandemPools.class).doesNotHaveBean(TopologyMonitor.class);
				assertThat(context).getBean(DataSource.class).isInstanceOf(HikariDataSource.class);
			});
	}

	@Test
	void runWithUserDefinedDataSourceBacksOff() {
		this.runner.withPropertyValues("tandem.url=" + cluster.libpqUrl())
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
	void runWithReaderUrlOnlyFailsNamingTheMissingWriterUrl() {
		this.runner.withPropertyValues("tandem.reader.url=" + cluster.libpqUrl()).run((context) -> {
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
	void runWithDatabaseUrlUsesIt() {
		this.runner.withPropertyValues("DATABASE_URL=" + cluster.libpqUrl()).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(TandemClusters.class).writer().property()).isEqualTo("DATABASE_URL");
			assertThat(context.getBean(TopologyMonitor.class).snapshot().primary()).isPresent();
		});
	}

	@Test
	void runWithSpringDatasourceUrlUsesItWithItsCredentials() {
		this.runner
			.withPropertyValues("spring.datasource.url=" + cluster.cluster().jdbcUrl(),
					"spring.datasource.username=" + cluster.cluster().username(),
					"spring.datasource.password=" + cluster.cluster().password())
			.run((context) -> {
				assertThat(context).hasNotFailed();
				TandemClusters clusters = context.getBean(TandemClusters.class);
				assertThat(clusters.writer().property()).isEqualTo("spring.datasource.url");
				assertThat(clusters.writer().hosts()).hasSize(3);
				try (var connection = context.getBean(DataSource.class).getConnection()) {
					assertThat(connection.isValid(2)).isTrue();
				}
			});
	}

	@Test
	void runWithTargetSessionAttrsSetsTheReadTarget() {
		this.runner.withPropertyValues("tandem.url=" + cluster.libpqUrl() + "?target_session_attrs=read-only")
			.run((context) -> assertThat(context.getBean(ReaderSelector.class).target()).isEqualTo(ReadTarget.STANDBY));
	}

	@Test
	void runWithReadsTargetPropertyOverridesTheUrl() {
		this.runner
			.withPropertyValues("tandem.url=" + cluster.libpqUrl() + "?target_session_attrs=read-only",
					"tandem.reads.target=prefer-primary")
			.run((context) -> assertThat(context.getBean(ReaderSelector.class).target())
				.isEqualTo(ReadTarget.PREFER_PRIMARY));
	}

	@Test
	void runWithHikariSettingsAppliesThemPerSide() {
		this.runner
			.withPropertyValues("tandem.url=" + cluster.libpqUrl(), "tandem.writer.hikari.maximum-pool-size=3",
					"tandem.reader.hikari.maximumPoolSize=4")
			.run((context) -> {
				TandemPools pools = context.getBean(TandemPools.class);
				assertThat(pools.writer().getMaximumPoolSize()).isEqualTo(3);
				PostgresNode standby = cluster.cluster().node(1);
				HikariDataSource reader = pools.reader(new HostAndPort(standby.host(), standby.port()));
				assertThat(reader.getMaximumPoolSize()).isEqualTo(4);
				assertThat(reader.getPoolName()).isEqualTo("tandem-reader-127.0.0.1-" + standby.port());
			});
	}

	@Test
	void runWithoutTimeoutSettingsUsesTandemsDefaults() {
		this.runner.withPropertyValues("tandem.url=" + cluster.libpqUrl()).run((context) -> {
			TandemPools pools = context.getBean(TandemPools.class);
			assertThat(pools.writer().getConnectionTimeout()).isEqualTo(3000);
			assertThat(pools.writer().getValidationTimeout()).isEqualTo(1000);
			assertThat(pools.writer().getKeepaliveTime()).isEqualTo(30_000);
			PostgresNode standby = cluster.cluster().node(1);
			HikariDataSource reader = pools.reader(new HostAndPort(standby.host(), standby.port()));
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
			.withPropertyValues("tandem.url=" + cluster.libpqUrl() + "?connect_timeout=7",
					"tandem.writer.hikari.connection-timeout=5000", "tandem.reader.hikari.connection-timeout=4000",
					"tandem.reads.max-lag=0", "tandem.reads.max-lag-bytes=16MB")
			.run((context) -> {
				TandemPools pools = context.getBean(TandemPools.class);
				assertThat(pools.writer().getConnectionTimeout()).isEqualTo(5000);
				PostgresNode standby = cluster.cluster().node(1);
				HikariDataSource reader = pools.reader(new HostAndPort(standby.host(), standby.port()));
				assertThat(reader.getConnectionTimeout()).isEqualTo(4000);
				assertThat(reader.getDataSourceProperties()).containsEntry("connectTimeout", "7");
				assertThat(context.getBean(TopologyMonitor.class).lagLimit())
					.isEqualTo(new LagLimit(Duration.ZERO, 16L * 1024 * 1024));
			});
	}

	@Test
	void runWithNegativeMaxLagFailsNamingTheProperty() {
		this.runner.withPropertyValues("tandem.url=" + cluster.libpqUrl(), "tandem.reads.max-lag=-1s")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.hasMessageContaining("tandem.reads.max-lag must be zero (no limit) or positive");
			});
	}

	@Test
	void runWithNoReadOnlyAttemptFailsNamingTheProperty() {
		this.runner.withPropertyValues("tandem.url=" + cluster.libpqUrl(), "tandem.retry.read-only-attempts=0")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.hasMessageContaining("tandem.retry.read-only-attempts must be at least 1, was 0");
			});
	}

	@Test
	void runWithDefaultsHasMemoryMarkersInLsnMode() {
		this.runner.withPropertyValues("tandem.url=" + cluster.libpqUrl()).run((context) -> {
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
		this.runner.withPropertyValues("tandem.url=" + cluster.libpqUrl())
			.withBean(RedisConnectionFactory.class, () -> new LettuceConnectionFactory("127.0.0.1", 1))
			.run((context) -> {
				assertThat(context).getBean(MarkerStore.class).isInstanceOf(FallbackMarkerStore.class);
				assertThat(context.getBean(MarkerStore.class).name()).isEqualTo("redis");
			});
	}

	@Test
	void runWithMemoryStoreIgnoresRedis() {
		this.runner.withPropertyValues("tandem.url=" + cluster.libpqUrl(), "tandem.consistency.store=memory")
			.withBean(RedisConnectionFactory.class, () -> new LettuceConnectionFactory("127.0.0.1", 1))
			.run((context) -> assertThat(context).getBean(MarkerStore.class).isInstanceOf(MemoryMarkerStore.class));
	}

	@Test
	void runWithRedisStoreButNoConnectionFactoryFailsSayingWhatToAdd() {
		this.runner.withPropertyValues("tandem.url=" + cluster.libpqUrl(), "tandem.consistency.store=redis")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.isInstanceOf(MarkerStoreUnavailableException.class)
					.hasMessageContaining("tandem.consistency.store is 'redis' but the application has no single "
							+ "RedisConnectionFactory bean");
			});
	}

	@Test
	void runWithRedisStoreButNoSpringDataRedisFailsSayingSo() {
		this.runner.withPropertyValues("tandem.url=" + cluster.libpqUrl(), "tandem.consistency.store=redis")
			.withClassLoader(new FilteredClassLoader("org.springframework.data.redis"))
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.hasMessageContaining("Spring Data Redis is not on the classpath");
			});
	}

	@Test
	void runWithoutSpringDataRedisKeepsMarkersInMemory() {
		this.runner.withPropertyValues("tandem.url=" + cluster.libpqUrl())
			.withClassLoader(new FilteredClassLoader("org.springframework.data.redis"))
			.run((context) -> assertThat(context).getBean(MarkerStore.class).isInstanceOf(MemoryMarkerStore.class));
	}

	@Test
	void runWithAConsistencyKeyResolverOfTheApplicationUsesIt() {
		this.runner.withPropertyValues("tandem.url=" + cluster.libpqUrl())
			.withBean("tenantKeys", ConsistencyKeyResolver.class, () -> () -> "tenant-1")
			.run((context) -> assertThat(context.getBean(ConsistencyKeyResolver.class).resolve())
				.isEqualTo("tenant-1"));
	}

	@Test
	void runWithATtlShorterThanMaxLagPlusTwoChecksFailsNamingTheProperties() {
		this.runner
			.withPropertyValues("tandem.url=" + cluster.libpqUrl(), "tandem.consistency.ttl=6s",
					"tandem.reads.max-lag=5s", "tandem.topology.check-interval=1s")
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
		this.runner.withPropertyValues("tandem.url=" + cluster.libpqUrl(), "tandem.consistency.token-secret=hunter2")
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
		this.runner
			.withPropertyValues("tandem.url=" + cluster.libpqUrl(), "tandem.consistency.token-secret=0123456789abcdef")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void runWithATtlTooShortButConsistencyOffStarts() {
		this.runner
			.withPropertyValues("tandem.url=" + cluster.libpqUrl(), "tandem.consistency.ttl=1s",
					"tandem.consistency.mode=off")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void runWithNoLagLimitWarnsThatReadYourWritesEndsWithTheTtl(CapturedOutput output) {
		this.runner.withPropertyValues("tandem.url=" + cluster.libpqUrl(), "tandem.reads.max-lag=0")
			.run((context) -> assertThat(context).hasNotFailed());
		assertThat(output)
			.contains("tandem.reads.max-lag is 0 (no lag limit): read-your-writes holds only while a marker lives");
	}

	@Test
	void runWithMisspeltHikariSettingFailsNamingIt() {
		this.runner.withPropertyValues("tandem.url=" + cluster.libpqUrl(), "tandem.writer.hikari.maximum-pol-size=3")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("maximum-pol-size");
			});
	}

	@Test
	void runWithNonPositiveCheckIntervalFailsNamingTheProperty() {
		this.runner.withPropertyValues("tandem.url=" + cluster.libpqUrl(), "tandem.topology.check-interval=0s")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.hasMessageContaining("tandem.topology.check-interval must be positive");
			});
	}

	@Test
	void runWithoutJpaUsesJdbcTransactionManager() {
		this.runner.withPropertyValues("tandem.url=" + cluster.libpqUrl())
			.withClassLoader(new FilteredClassLoader("org.hibernate", "jakarta.persistence"))
			.run((context) -> assertThat(context).getBean(PlatformTransactionManager.class)
				.isInstanceOf(DataSourceTransactionManager.class));
	}

	@Test
	void runWithJpaUsesJpaTransactionManagerOverTandemsDataSource() {
		this.runner.withPropertyValues("tandem.url=" + cluster.libpqUrl())
			.withConfiguration(AutoConfigurations.of(HibernateJpaAutoConfiguration.class))
			.run((context) -> {
				assertThat(context).getBean(PlatformTransactionManager.class).isInstanceOf(JpaTransactionManager.class);
				JpaTransactionManager manager = context.getBean(JpaTransactionManager.class);
				assertThat(manager.getDataSource()).isSameAs(context.getBean(DataSource.class));
				assertThat(context.getBean(DataSource.class)).isInstanceOf(LazyConnectionDataSourceProxy.class);
			});
	}

	@Test
	void runWithSeparateWriterAndReaderEndpointsRoutesToEach() {
		PostgresNode primary = cluster.cluster().node(0);
		PostgresNode standby1 = cluster.cluster().node(1);
		PostgresNode standby2 = cluster.cluster().node(2);
		String readers = "postgresql://tandem:tandem@" + standby1.host() + ":" + standby1.port() + "," + standby2.host()
				+ ":" + standby2.port() + "/tandem";
		this.runner.withPropertyValues("tandem.writer.url=" + primary.libpqUrl(), "tandem.reader.url=" + readers)
			.run((context) -> {
				assertThat(context.getBean(TandemClusters.class).nodes()).hasSize(3);
				assertThat(servedBy(context, true)).isIn(standby1.port(), standby2.port());
				assertThat(servedBy(context, false)).isEqualTo(primary.port());
			});
	}

	@Test
	void runWithAHostThatIsDownStillStartsAndReadsFromTheOthers() throws Exception {
		int closedPort;
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
			closedPort = socket.getLocalPort();
		}
		String clusterUrl = cluster.libpqUrl();
		int path = clusterUrl.lastIndexOf('/');
		String url = clusterUrl.substring(0, path) + ",127.0.0.1:" + closedPort + clusterUrl.substring(path);
		this.runner.withPropertyValues("tandem.url=" + url).run((context) -> {
			assertThat(context).hasNotFailed();
			TopologyMonitor monitor = context.getBean(TopologyMonitor.class);
			assertThat(monitor.snapshot().node(new HostAndPort("127.0.0.1", closedPort)))
				.hasValueSatisfying((status) -> assertThat(status.reachable()).isFalse());
			for (int i = 0; i < 4; i++) {
				assertThat(servedBy(context, true)).isIn(cluster.cluster().node(1).port(),
						cluster.cluster().node(2).port());
			}
		});
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

	@Test
	void readFromReplicaWorksWithoutTransactionManagement() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(TandemAutoConfiguration.class))
			.withPropertyValues("tandem.url=" + cluster.libpqUrl())
			.withUserConfiguration(ReplicaReader.class)
			.run((context) -> {
				assertThat(context).doesNotHaveBean(PlatformTransactionManager.class);
				assertThat(context.getBean(ReplicaReader.class).port()).isIn(cluster.cluster().node(1).port(),
						cluster.cluster().node(2).port());
			});
	}

	@Test
	void runWithPrimaryTargetReadsFromThePrimary() {
		this.runner.withPropertyValues("tandem.url=" + cluster.libpqUrl(), "tandem.reads.target=primary")
			.run((context) -> assertThat(servedBy(context, true)).isEqualTo(cluster.cluster().node(0).port()));
	}

	@Test
	void runWithAnyTargetReadsFromEveryNode() {
		this.runner.withPropertyValues("tandem.url=" + cluster.libpqUrl(), "tandem.reads.target=any").run((context) -> {
			Set<Integer> ports = new HashSet<>();
			for (int i = 0; i < 9; i++) {
				ports.add(servedBy(context, true));
			}
			assertThat(ports).containsExactlyInAnyOrderElementsOf(
					cluster.cluster().nodes().stream().map(PostgresNode::port).toList());
		});
	}

	@Test
	void topologyWorksAsAnOrdinaryRole() {
		this.runner.withPropertyValues("tandem.url=" + cluster.libpqUrl()).run((context) -> {
			JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
			assertThat(jdbc.queryForObject(
					"SELECT rolsuper OR pg_has_role(current_user, 'pg_monitor', 'MEMBER') FROM pg_roles WHERE rolname = current_user",
					Boolean.class))
				.isFalse();
			assertThat(context.getBean(TopologyMonitor.class).snapshot().nodes())
				.allSatisfy((status) -> assertThat(status.reachable()).isTrue());
		});
	}

	private static int servedBy(ApplicationContext context, boolean readOnly) {
		TransactionTemplate template = new TransactionTemplate(context.getBean(PlatformTransactionManager.class));
		template.setReadOnly(readOnly);
		JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
		Integer port = template.execute((status) -> jdbc.queryForObject("SELECT inet_server_port()", Integer.class));
		assertThat(port).isNotNull();
		return port;
	}

	private static FailureAnalysis analyze(FailureAnalyzer analyzer, Throwable failure) {
		FailureAnalysis analysis = analyzer.analyze(failure);
		assertThat(analysis).isNotNull();
		return analysis;
	}

	@Configuration(proxyBeanMethods = false)
	static class ReplicaReader {

		@Autowired
		private DataSource dataSource;

		@ReadFromReplica
		public int port() {
			return new JdbcTemplate(this.dataSource).queryForObject("SELECT inet_server_port()", Integer.class);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserDataSource {

		@Bean
		DataSource dataSource() throws SQLException {
			return new SimpleDriverDataSource(new org.postgresql.Driver(), cluster.cluster().node(0).jdbcUrl());
		}

	}

}

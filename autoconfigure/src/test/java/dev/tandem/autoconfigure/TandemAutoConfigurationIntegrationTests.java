package dev.tandem.autoconfigure;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

import javax.sql.DataSource;

import dev.tandem.ReadFromReplica;
import dev.tandem.pool.TandemPools;
import dev.tandem.testkit.PostgresClusterExtension;
import dev.tandem.testkit.PostgresNode;
import dev.tandem.topology.TopologyMonitor;
import dev.tandem.url.HostAndPort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.LazyConnectionDataSourceProxy;
import org.springframework.jdbc.datasource.lookup.AbstractRoutingDataSource;
import org.springframework.orm.jpa.JpaTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Integration tests for {@link TandemAutoConfiguration} on a real primary with two
 * standbys: what the auto-configured data source does. Conditions and property validation
 * need no server and are in {@link TandemAutoConfigurationTests}.
 */
class TandemAutoConfigurationIntegrationTests {

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
				assertThat(ServedBy.port(context, true)).isIn(standby1.port(), standby2.port());
				assertThat(ServedBy.port(context, false)).isEqualTo(primary.port());
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
				assertThat(ServedBy.port(context, true)).isIn(cluster.cluster().node(1).port(),
						cluster.cluster().node(2).port());
			}
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
			.run((context) -> assertThat(ServedBy.port(context, true)).isEqualTo(cluster.cluster().node(0).port()));
	}

	@Test
	void runWithAnyTargetReadsFromEveryNode() {
		this.runner.withPropertyValues("tandem.url=" + cluster.libpqUrl(), "tandem.reads.target=any").run((context) -> {
			Set<Integer> ports = new HashSet<>();
			for (int i = 0; i < 9; i++) {
				ports.add(ServedBy.port(context, true));
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

	@Configuration(proxyBeanMethods = false)
	static class ReplicaReader {

		@Autowired
		private DataSource dataSource;

		@ReadFromReplica
		public int port() {
			return new JdbcTemplate(this.dataSource).queryForObject("SELECT inet_server_port()", Integer.class);
		}

	}

}

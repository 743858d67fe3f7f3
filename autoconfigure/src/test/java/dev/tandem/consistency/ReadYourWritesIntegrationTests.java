package dev.tandem.consistency;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import dev.tandem.routing.ClusterWork;
import dev.tandem.testkit.PostgresCluster;
import dev.tandem.testkit.PostgresClusterExtension;
import dev.tandem.testkit.PostgresNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Write-then-read cycles under a consistency key while standbys lag, on a real cluster:
 * no read misses its write, and the read goes to a standby that has the write when one
 * does.
 */
class ReadYourWritesIntegrationTests {

	private static final Logger logger = LoggerFactory.getLogger(ReadYourWritesIntegrationTests.class);

	@RegisterExtension
	static final PostgresClusterExtension cluster = PostgresClusterExtension.withStandbys(2);

	@BeforeAll
	static void createTable() throws SQLException {
		try (Connection connection = cluster.cluster().primary().connect();
				Statement statement = connection.createStatement()) {
			statement.execute("CREATE TABLE item (id bigserial PRIMARY KEY, owner text NOT NULL)");
		}
	}

	@AfterEach
	void resumeReplay() {
		cluster.cluster().standbys().forEach(PostgresNode::resumeReplay);
	}

	private static ApplicationContextRunner runner(String... properties) {
		return runnerOver(cluster.libpqUrl(), properties);
	}

	/**
	 * Tandem with plain JDBC transactions and the {@link Items} service over a cluster.
	 */
	static ApplicationContextRunner runnerOver(String url, String... properties) {
		return ClusterWork.runner(url, App.class, properties);
	}

	@Test
	void withReplayPausedEverywhereNoReadMissesItsWriteAndThePrimaryServesThem() {
		PostgresCluster postgres = cluster.cluster();
		postgres.standbys().forEach(PostgresNode::pauseReplay);
		runner().run((context) -> {
			Cycles cycles = cycles(context.getBean(Items.class), 1000);
			logger.info("RYW all paused, lsn mode: {}", cycles);
			assertThat(cycles.misses()).isZero();
			assertThat(cycles.servedBy(postgres.primary().port())).isEqualTo(1000);
		});
	}

	@Test
	void withoutReadYourWritesTheSameCyclesReadStaleData() {
		cluster.cluster().standbys().forEach(PostgresNode::pauseReplay);
		runner("tandem.consistency.mode=off").run((context) -> {
			Cycles cycles = cycles(context.getBean(Items.class), 50);
			logger.info("RYW all paused, mode off: {}", cycles);
			assertThat(cycles.misses()).isEqualTo(50);
		});
	}

	@Test
	void inLsnModeACaughtUpStandbyServesTheReadsAfterAWrite() {
		PostgresCluster postgres = cluster.cluster();
		PostgresNode paused = postgres.standbys().get(0);
		PostgresNode running = postgres.standbys().get(1);
		paused.pauseReplay();
		runner().run((context) -> {
			Cycles cycles = cycles(context.getBean(Items.class), 300);
			logger.info("RYW one paused, lsn mode: {}", cycles);
			assertThat(cycles.misses()).isZero();
			assertThat(cycles.servedBy(paused.port())).isZero();
			assertThat(cycles.servedBy(running.port())).isGreaterThanOrEqualTo(270);
		});
	}

	@Test
	void inTtlModeTheReadsAfterAWriteGoToThePrimary() {
		PostgresCluster postgres = cluster.cluster();
		postgres.standbys().get(0).pauseReplay();
		runner("tandem.consistency.mode=ttl").run((context) -> {
			Cycles cycles = cycles(context.getBean(Items.class), 100);
			logger.info("RYW one paused, ttl mode: {}", cycles);
			assertThat(cycles.misses()).isZero();
			assertThat(cycles.servedBy(postgres.primary().port())).isEqualTo(100);
		});
	}

	@Test
	void readsWithoutAKeyStillGoToTheStandbys() {
		runner().run((context) -> {
			Items items = context.getBean(Items.class);
			ConsistencyKey.runWith("someone", () -> items.write("someone"));
			Seen seen = items.read(-1);
			assertThat(seen.standby()).isTrue();
		});
	}

	private static Cycles cycles(Items items, int count) {
		List<Seen> reads = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			String key = "user-" + (i % 50);
			ConsistencyKey.runWith(key, () -> {
				long id = items.write(key);
				reads.add(items.read(id));
			});
		}
		return new Cycles(reads);
	}

	record Cycles(List<Seen> reads) {

		long misses() {
			return this.reads.stream().filter((seen) -> !seen.found()).count();
		}

		long servedBy(int port) {
			return this.reads.stream().filter((seen) -> seen.port() == port).count();
		}

		@Override
		public String toString() {
			return this.reads.size() + " cycles, " + misses() + " misses, by port " + this.reads.stream()
				.collect(java.util.stream.Collectors.groupingBy(Seen::port, java.util.stream.Collectors.counting()));
		}

	}

	record Seen(boolean found, boolean standby, int port) {
	}

	@Configuration(proxyBeanMethods = false)
	@Import(Items.class)
	static class App {

	}

	@Service
	static class Items {

		private final JdbcTemplate jdbc;

		Items(JdbcTemplate jdbc) {
			this.jdbc = jdbc;
		}

		@Transactional
		public long write(String owner) {
			return this.jdbc.queryForObject("INSERT INTO item (owner) VALUES (?) RETURNING id", Long.class, owner);
		}

		@Transactional(readOnly = true)
		public Seen read(long id) {
			return this.jdbc.queryForObject(
					"SELECT EXISTS (SELECT 1 FROM item WHERE id = ?), pg_is_in_recovery(), inet_server_port()",
					(rs, row) -> new Seen(rs.getBoolean(1), rs.getBoolean(2), rs.getInt(3)), id);
		}

	}

}

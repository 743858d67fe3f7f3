package dev.tandem.benchmarks;

import java.sql.Connection;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tandem.autoconfigure.TandemProperties;
import dev.tandem.consistency.ConsistencyMode;
import dev.tandem.testkit.PostgresCluster;
import dev.tandem.testkit.RedisServer;

import org.springframework.boot.logging.LoggingSystem;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.LazyConnectionDataSourceProxy;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Builds the candidates over one cluster. Every HikariCP pool of every candidate has the
 * same maximum size, {@value #POOL_SIZE}: as many connections as the most threads that
 * ever share a pool, so no candidate queues for connections.
 */
final class Candidates {

	static final int POOL_SIZE = 8;

	static final String FLOOR = "floor";

	static final String SPRING = "spring-routing";

	static final String MULTI_HOST = "pgjdbc-multihost";

	static final String MULTI_HOST_TUNED = "pgjdbc-multihost-tuned";

	static final String TANDEM_OFF = "tandem-off";

	static final String TANDEM_TTL = "tandem-ttl";

	static final String TANDEM_LSN = "tandem-lsn";

	/** What the tuned multi-host candidate changes, for the report. */
	static final String TUNED_SETTINGS = "HikariCP connectionTimeout 2 s and validationTimeout 1 s; "
			+ "pgjdbc connectTimeout=2, loginTimeout=3, tcpKeepAlive=true";

	/**
	 * Tandem's default {@code tandem.consistency.ttl}, which the candidates keep: Tandem
	 * trusts Redis's "no marker" only once Redis has run for that long.
	 */
	static final Duration MARKER_TTL = new TandemProperties.Consistency().getTtl();

	private Candidates() {
	}

	/**
	 * Waits until Redis has run for longer than the markers' TTL. Until then Tandem does
	 * not trust its "no marker" answers (a Redis that restarted may have lost markers)
	 * and sends keyed reads to the primary, which is not the cost a scenario measures.
	 * @param redis the Redis server of the Tandem candidates' marker store
	 */
	static void awaitMarkersTrusted(RedisServer redis) {
		long deadline = System.nanoTime() + MARKER_TTL.plusSeconds(30).toNanos();
		while (redis.uptime().compareTo(MARKER_TTL) <= 0) {
			if (System.nanoTime() - deadline > 0) {
				throw new IllegalStateException("Redis did not report an uptime over " + MARKER_TTL);
			}
			LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
		}
	}

	/**
	 * Builds candidates by name, in the order given.
	 * @param names candidate names, constants of this class
	 * @param cluster the cluster
	 * @param redis the Redis server of the Tandem candidates' marker store
	 * @return the candidates; close each when done
	 */
	static List<Candidate> create(List<String> names, PostgresCluster cluster, RedisServer redis) {
		return names.stream().map((name) -> create(name, cluster, redis)).toList();
	}

	static Candidate create(String name, PostgresCluster cluster, RedisServer redis) {
		return switch (name) {
			case FLOOR -> floor(cluster);
			case SPRING -> springRouting(cluster);
			case MULTI_HOST -> multiHost(cluster, false);
			case MULTI_HOST_TUNED -> multiHost(cluster, true);
			case TANDEM_OFF -> tandem(cluster, redis, ConsistencyMode.OFF);
			case TANDEM_TTL -> tandem(cluster, redis, ConsistencyMode.TTL);
			case TANDEM_LSN -> tandem(cluster, redis, ConsistencyMode.LSN);
			default -> throw new IllegalArgumentException("Unknown candidate '" + name + "'");
		};
	}

	static void closeAll(List<Candidate> candidates) {
		for (Candidate candidate : candidates) {
			try {
				candidate.close();
			}
			catch (Exception ex) {
				throw new IllegalStateException("Could not close candidate " + candidate, ex);
			}
		}
	}

	/** One HikariCP pool on the node that is the primary now: no routing at all. */
	private static Candidate floor(PostgresCluster cluster) {
		HikariDataSource pool = pool(FLOOR, cluster, cluster.primary().jdbcUrl(), (config) -> {
		});
		return new Candidate(FLOOR, "one HikariCP pool on the primary, no routing", pool,
				new DataSourceTransactionManager(pool), pool);
	}

	/**
	 * Spring's own answer: a {@link LazyConnectionDataSourceProxy} whose read-only
	 * transactions take connections from a reader pool over the multi-host URL
	 * ({@code preferSecondary}, hosts balanced), the others from a writer pool over the
	 * same URL with {@code targetServerType=primary}.
	 */
	private static Candidate springRouting(PostgresCluster cluster) {
		HikariDataSource writer = pool(SPRING + "-writer", cluster, cluster.jdbcUrl() + "?targetServerType=primary",
				(config) -> {
				});
		HikariDataSource reader = pool(SPRING + "-reader", cluster,
				cluster.jdbcUrl() + "?targetServerType=preferSecondary&loadBalanceHosts=true",
				// As the Javadoc of setReadOnlyDataSource asks: read-only by default.
				(config) -> config.setReadOnly(true));
		LazyConnectionDataSourceProxy proxy = new LazyConnectionDataSourceProxy();
		proxy.setTargetDataSource(writer);
		proxy.setReadOnlyDataSource(reader);
		proxy.setDefaultAutoCommit(true);
		proxy.setDefaultTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
		proxy.afterPropertiesSet();
		return new Candidate(SPRING,
				"LazyConnectionDataSourceProxy: writer pool targetServerType=primary, read-only pool "
						+ "preferSecondary&loadBalanceHosts=true, both over the multi-host URL",
				proxy, new DataSourceTransactionManager(proxy), () -> {
					reader.close();
					writer.close();
				});
	}

	/** One pool over the multi-host URL with {@code targetServerType=primary}. */
	private static Candidate multiHost(PostgresCluster cluster, boolean tuned) {
		String name = tuned ? MULTI_HOST_TUNED : MULTI_HOST;
		HikariDataSource pool = pool(name, cluster, cluster.jdbcUrl() + "?targetServerType=primary", (config) -> {
			if (tuned) {
				config.setConnectionTimeout(2000);
				config.setValidationTimeout(1000);
				config.addDataSourceProperty("connectTimeout", "2");
				config.addDataSourceProperty("loginTimeout", "3");
				config.addDataSourceProperty("tcpKeepAlive", "true");
			}
		});
		return new Candidate(name,
				"one HikariCP pool over the multi-host URL, targetServerType=primary, "
						+ (tuned ? TUNED_SETTINGS : "library defaults"),
				pool, new DataSourceTransactionManager(pool), pool);
	}

	private static HikariDataSource pool(String name, PostgresCluster cluster, String url,
			Consumer<HikariConfig> customizer) {
		HikariConfig config = new HikariConfig();
		config.setPoolName("bench-" + name);
		config.setJdbcUrl(url);
		config.setUsername(cluster.username());
		config.setPassword(cluster.password());
		config.setMaximumPoolSize(POOL_SIZE);
		customizer.accept(config);
		return new HikariDataSource(config);
	}

	/**
	 * Tandem as an application gets it: a Spring Boot context with the starter's
	 * auto-configuration, its {@code DataSource} and transaction manager. Every Tandem
	 * candidate keeps markers in Redis, so they differ only in the consistency mode.
	 */
	private static Candidate tandem(PostgresCluster cluster, RedisServer redis, ConsistencyMode mode) {
		String name = "tandem-" + mode;
		Map<String, Object> properties = new LinkedHashMap<>();
		properties.put("tandem.url", cluster.libpqUrl());
		properties.put("tandem.consistency.mode", mode.toString());
		properties.put("tandem.consistency.store", "redis");
		properties.put("tandem.writer.hikari.maximum-pool-size", POOL_SIZE);
		properties.put("tandem.reader.hikari.maximum-pool-size", POOL_SIZE);
		properties.put("spring.data.redis.url", redis.url());
		properties.put("spring.data.redis.timeout", "250ms");
		properties.put("spring.data.redis.repositories.enabled", false);
		ConfigurableApplicationContext context = TandemApplication.start(properties);
		return new Candidate(name,
				"Tandem (the starter's auto-configuration), consistency " + mode
						+ ((mode != ConsistencyMode.OFF) ? ", markers in Redis" : ""),
				context.getBean(DataSource.class), context.getBean(PlatformTransactionManager.class), context::close);
	}

	/**
	 * Keeps Spring Boot's logging system out of the candidates' contexts: several
	 * contexts start and stop in one JVM, and the benchmark's own {@code logback.xml}
	 * keeps them quiet.
	 */
	static void leaveLoggingAlone() {
		System.setProperty(LoggingSystem.SYSTEM_PROPERTY, LoggingSystem.NONE);
	}

}

package dev.tandem.autoconfigure;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.tandem.consistency.ConsistencyMode;
import dev.tandem.routing.ReadBalance;
import dev.tandem.url.ReadTarget;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.convert.DurationUnit;
import org.springframework.util.unit.DataSize;

/**
 * Configuration properties of Tandem.
 */
@ConfigurationProperties("tandem")
public class TandemProperties {

	/**
	 * Whether Tandem builds the application's DataSource.
	 */
	private boolean enabled = true;

	/**
	 * Cluster URL: a libpq URI such as
	 * 'postgresql://user:secret@h1:5432,h2:5432/db?target_session_attrs=prefer-standby'
	 * or a pgjdbc URL such as 'jdbc:postgresql://h1,h2/db'. Falls back to the
	 * DATABASE_URL environment variable, then to spring.datasource.url.
	 */
	private @Nullable String url;

	/**
	 * Login user name. Overrides the user name of the URL.
	 */
	private @Nullable String username;

	/**
	 * Login password. Overrides the password of the URL.
	 */
	private @Nullable String password;

	private final Writer writer = new Writer();

	private final Reader reader = new Reader();

	private final Reads reads = new Reads();

	private final Topology topology = new Topology();

	private final Retry retry = new Retry();

	private final Consistency consistency = new Consistency();

	private final Observations observations = new Observations();

	/**
	 * Zones (or regions) by name, each with the hosts ('host:port', as in the URL) of its
	 * nodes. Reads prefer the standbys of the read's zone (tandem.reads.zone, the
	 * tandem.reads.zone-header of a request, or ReadZone in code).
	 */
	private Map<String, List<String>> zones = new LinkedHashMap<>();

	public Map<String, List<String>> getZones() {
		return this.zones;
	}

	public void setZones(Map<String, List<String>> zones) {
		this.zones = zones;
	}

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public @Nullable String getUrl() {
		return this.url;
	}

	public void setUrl(@Nullable String url) {
		this.url = url;
	}

	public @Nullable String getUsername() {
		return this.username;
	}

	public void setUsername(@Nullable String username) {
		this.username = username;
	}

	public @Nullable String getPassword() {
		return this.password;
	}

	public void setPassword(@Nullable String password) {
		this.password = password;
	}

	public Writer getWriter() {
		return this.writer;
	}

	public Reader getReader() {
		return this.reader;
	}

	public Reads getReads() {
		return this.reads;
	}

	public Topology getTopology() {
		return this.topology;
	}

	public Retry getRetry() {
		return this.retry;
	}

	public Consistency getConsistency() {
		return this.consistency;
	}

	public Observations getObservations() {
		return this.observations;
	}

	/**
	 * Writer side: the pool on the primary.
	 */
	public static class Writer {

		/**
		 * Separate writer endpoint, used instead of tandem.url (for example a
		 * CloudNativePG '-rw' service or an Aurora writer endpoint). May list several
		 * hosts.
		 */
		private @Nullable String url;

		/**
		 * HikariCP settings of the writer pool.
		 */
		private final Hikari hikari = new Hikari();

		public @Nullable String getUrl() {
			return this.url;
		}

		public void setUrl(@Nullable String url) {
			this.url = url;
		}

		public Hikari getHikari() {
			return this.hikari;
		}

	}

	/**
	 * Reader side: one read-only pool per host.
	 */
	public static class Reader {

		/**
		 * Separate reader endpoint (for example a CloudNativePG '-ro' service or an
		 * Aurora reader endpoint); each of its hosts gets a read-only pool. Requires
		 * tandem.writer.url.
		 */
		private @Nullable String url;

		/**
		 * HikariCP settings of every reader pool.
		 */
		private final Hikari hikari = new Hikari();

		public @Nullable String getUrl() {
			return this.url;
		}

		public void setUrl(@Nullable String url) {
			this.url = url;
		}

		public Hikari getHikari() {
			return this.hikari;
		}

	}

	/**
	 * HikariCP settings of the writer pool ({@code tandem.writer.hikari.*}) or of every
	 * reader pool ({@code tandem.reader.hikari.*}). An unset setting keeps Tandem's
	 * default for that side, or else HikariCP's. Settings that Tandem owns are not here:
	 * the URL and driver (tandem.url), read-only (the writer is read-write, readers
	 * read-only), the exception override (Tandem's reports lost nodes); objects are set
	 * in a TandemPoolCustomizer.
	 */
	public static class Hikari {

		/**
		 * Largest number of connections of the pool, idle and in use.
		 */
		private @Nullable Integer maximumPoolSize;

		/**
		 * Number of idle connections the pool keeps ready, at most maximum-pool-size.
		 */
		private @Nullable Integer minimumIdle;

		/**
		 * Longest time a caller waits for a connection from the pool before an
		 * SQLException. At least 250 ms. A number without a unit is milliseconds.
		 */
		@DurationUnit(ChronoUnit.MILLIS)
		private @Nullable Duration connectionTimeout;

		/**
		 * How long a connection may sit idle before it is retired, while the pool holds
		 * more than minimum-idle connections. '0': never retired for idleness. A number
		 * without a unit is milliseconds.
		 */
		@DurationUnit(ChronoUnit.MILLIS)
		private @Nullable Duration idleTimeout;

		/**
		 * Longest life of a connection: it is retired once returned after this long (with
		 * up to 2.5 % of jitter). Keep it a few seconds shorter than any limit the
		 * database or the network imposes. '0': no limit. A number without a unit is
		 * milliseconds.
		 */
		@DurationUnit(ChronoUnit.MILLIS)
		private @Nullable Duration maxLifetime;

		/**
		 * How often an idle connection is checked to be alive (and kept alive through
		 * firewalls). Less than max-lifetime; '0': never. A number without a unit is
		 * milliseconds.
		 */
		@DurationUnit(ChronoUnit.MILLIS)
		private @Nullable Duration keepaliveTime;

		/**
		 * Longest time a check that a connection is alive may take. Less than
		 * connection-timeout, at least 250 ms. A number without a unit is milliseconds.
		 */
		@DurationUnit(ChronoUnit.MILLIS)
		private @Nullable Duration validationTimeout;

		/**
		 * How long a connection may be out of the pool before a message reports a
		 * possible leak, with the stack that borrowed it. '0': no leak detection; else at
		 * least 2 s. A number without a unit is milliseconds.
		 */
		@DurationUnit(ChronoUnit.MILLIS)
		private @Nullable Duration leakDetectionThreshold;

		/**
		 * How long the pool's start waits for a first connection before it fails: a
		 * positive time fails startup when none is made by then, '0' tries once and
		 * fails, a negative one never waits nor fails (connections are made in the
		 * background). A number without a unit is milliseconds.
		 */
		@DurationUnit(ChronoUnit.MILLIS)
		private @Nullable Duration initializationFailTimeout;

		/**
		 * Query that checks a connection is alive, for drivers without JDBC 4
		 * Connection.isValid(). pgjdbc has it: leave unset.
		 */
		private @Nullable String connectionTestQuery;

		/**
		 * SQL run on every new connection before it joins the pool (for example 'SET
		 * search_path TO app'); when it fails, the connection is discarded.
		 */
		private @Nullable String connectionInitSql;

		/**
		 * Default transaction isolation of the pool's connections, as a
		 * java.sql.Connection constant name: 'TRANSACTION_READ_COMMITTED',
		 * 'TRANSACTION_REPEATABLE_READ' or 'TRANSACTION_SERIALIZABLE'. Unset: the
		 * database's default.
		 */
		private @Nullable String transactionIsolation;

		/**
		 * Default auto-commit of the pool's connections.
		 */
		private @Nullable Boolean autoCommit;

		/**
		 * Whether the pool's own queries (the connection test query, the init SQL) run in
		 * a transaction of their own, when auto-commit is off.
		 */
		private @Nullable Boolean isolateInternalQueries;

		/**
		 * Whether the pool may be suspended and resumed through its JMX MXBean.
		 */
		private @Nullable Boolean allowPoolSuspension;

		/**
		 * Whether the pool registers its configuration and pool MXBeans with JMX, under
		 * its pool name.
		 */
		private @Nullable Boolean registerMbeans;

		/**
		 * Name of the writer pool, in logs, JMX and the hikaricp.* meters. Writer only:
		 * each reader pool is named after its host.
		 */
		private @Nullable String poolName;

		/**
		 * Default catalog of the pool's connections.
		 */
		private @Nullable String catalog;

		/**
		 * Default schema of the pool's connections (pgjdbc's currentSchema: the search
		 * path).
		 */
		private @Nullable String schema;

		/**
		 * Login user name of this side's pools. Overrides tandem.username and the URL's;
		 * the topology checks still log in with those.
		 */
		private @Nullable String username;

		/**
		 * Login password of this side's pools. Overrides tandem.password and the URL's;
		 * the topology checks still log in with those.
		 */
		private @Nullable String password;

		/**
		 * Class name of a HikariCredentialsProvider that supplies the user name and
		 * password of each new connection (for example short-lived tokens). The topology
		 * checks log in with tandem.username and tandem.password.
		 */
		private @Nullable String credentialsProviderClassName;

		/**
		 * pgjdbc connection properties of the pool's connections (for example
		 * 'prepareThreshold: 0'), added to those of the URL.
		 */
		private Map<String, String> dataSourceProperties = new LinkedHashMap<>();

		/**
		 * Properties of HikariCP's Dropwizard health checks
		 * ('connectivityCheckTimeoutMs', 'expected99thPercentileMs'), used when a
		 * TandemPoolCustomizer sets a health check registry.
		 */
		private Map<String, String> healthCheckProperties = new LinkedHashMap<>();

		public @Nullable Integer getMaximumPoolSize() {
			return this.maximumPoolSize;
		}

		public void setMaximumPoolSize(@Nullable Integer maximumPoolSize) {
			this.maximumPoolSize = maximumPoolSize;
		}

		public @Nullable Integer getMinimumIdle() {
			return this.minimumIdle;
		}

		public void setMinimumIdle(@Nullable Integer minimumIdle) {
			this.minimumIdle = minimumIdle;
		}

		public @Nullable Duration getConnectionTimeout() {
			return this.connectionTimeout;
		}

		public void setConnectionTimeout(@Nullable Duration connectionTimeout) {
			this.connectionTimeout = connectionTimeout;
		}

		public @Nullable Duration getIdleTimeout() {
			return this.idleTimeout;
		}

		public void setIdleTimeout(@Nullable Duration idleTimeout) {
			this.idleTimeout = idleTimeout;
		}

		public @Nullable Duration getMaxLifetime() {
			return this.maxLifetime;
		}

		public void setMaxLifetime(@Nullable Duration maxLifetime) {
			this.maxLifetime = maxLifetime;
		}

		public @Nullable Duration getKeepaliveTime() {
			return this.keepaliveTime;
		}

		public void setKeepaliveTime(@Nullable Duration keepaliveTime) {
			this.keepaliveTime = keepaliveTime;
		}

		public @Nullable Duration getValidationTimeout() {
			return this.validationTimeout;
		}

		public void setValidationTimeout(@Nullable Duration validationTimeout) {
			this.validationTimeout = validationTimeout;
		}

		public @Nullable Duration getLeakDetectionThreshold() {
			return this.leakDetectionThreshold;
		}

		public void setLeakDetectionThreshold(@Nullable Duration leakDetectionThreshold) {
			this.leakDetectionThreshold = leakDetectionThreshold;
		}

		public @Nullable Duration getInitializationFailTimeout() {
			return this.initializationFailTimeout;
		}

		public void setInitializationFailTimeout(@Nullable Duration initializationFailTimeout) {
			this.initializationFailTimeout = initializationFailTimeout;
		}

		public @Nullable String getConnectionTestQuery() {
			return this.connectionTestQuery;
		}

		public void setConnectionTestQuery(@Nullable String connectionTestQuery) {
			this.connectionTestQuery = connectionTestQuery;
		}

		public @Nullable String getConnectionInitSql() {
			return this.connectionInitSql;
		}

		public void setConnectionInitSql(@Nullable String connectionInitSql) {
			this.connectionInitSql = connectionInitSql;
		}

		public @Nullable String getTransactionIsolation() {
			return this.transactionIsolation;
		}

		public void setTransactionIsolation(@Nullable String transactionIsolation) {
			this.transactionIsolation = transactionIsolation;
		}

		public @Nullable Boolean getAutoCommit() {
			return this.autoCommit;
		}

		public void setAutoCommit(@Nullable Boolean autoCommit) {
			this.autoCommit = autoCommit;
		}

		public @Nullable Boolean getIsolateInternalQueries() {
			return this.isolateInternalQueries;
		}

		public void setIsolateInternalQueries(@Nullable Boolean isolateInternalQueries) {
			this.isolateInternalQueries = isolateInternalQueries;
		}

		public @Nullable Boolean getAllowPoolSuspension() {
			return this.allowPoolSuspension;
		}

		public void setAllowPoolSuspension(@Nullable Boolean allowPoolSuspension) {
			this.allowPoolSuspension = allowPoolSuspension;
		}

		public @Nullable Boolean getRegisterMbeans() {
			return this.registerMbeans;
		}

		public void setRegisterMbeans(@Nullable Boolean registerMbeans) {
			this.registerMbeans = registerMbeans;
		}

		public @Nullable String getPoolName() {
			return this.poolName;
		}

		public void setPoolName(@Nullable String poolName) {
			this.poolName = poolName;
		}

		public @Nullable String getCatalog() {
			return this.catalog;
		}

		public void setCatalog(@Nullable String catalog) {
			this.catalog = catalog;
		}

		public @Nullable String getSchema() {
			return this.schema;
		}

		public void setSchema(@Nullable String schema) {
			this.schema = schema;
		}

		public @Nullable String getUsername() {
			return this.username;
		}

		public void setUsername(@Nullable String username) {
			this.username = username;
		}

		public @Nullable String getPassword() {
			return this.password;
		}

		public void setPassword(@Nullable String password) {
			this.password = password;
		}

		public @Nullable String getCredentialsProviderClassName() {
			return this.credentialsProviderClassName;
		}

		public void setCredentialsProviderClassName(@Nullable String credentialsProviderClassName) {
			this.credentialsProviderClassName = credentialsProviderClassName;
		}

		public Map<String, String> getDataSourceProperties() {
			return this.dataSourceProperties;
		}

		public void setDataSourceProperties(Map<String, String> dataSourceProperties) {
			this.dataSourceProperties = dataSourceProperties;
		}

		public Map<String, String> getHealthCheckProperties() {
			return this.healthCheckProperties;
		}

		public void setHealthCheckProperties(Map<String, String> healthCheckProperties) {
			this.healthCheckProperties = healthCheckProperties;
		}

	}

	/**
	 * Where read-only work goes.
	 */
	public static class Reads {

		/**
		 * Where read-only work runs: 'prefer-standby', 'standby', 'any', 'primary' or
		 * 'prefer-primary'. Defaults to the URL's target_session_attrs, else
		 * 'prefer-standby'.
		 */
		private @Nullable ReadTarget target;

		/**
		 * How reads spread over eligible standbys.
		 */
		private ReadBalance balance = ReadBalance.ROUND_ROBIN;

		/**
		 * Replay lag beyond which a standby stops serving reads. It serves again once its
		 * lag is at most half of this. Measured as the age of the last replayed
		 * transaction while WAL waits to be replayed. '0' disables the check.
		 */
		private Duration maxLag = Duration.ofSeconds(5);

		/**
		 * Replay lag in bytes of WAL beyond which a standby stops serving reads, in
		 * addition to max-lag. It serves again once its lag is at most half of this.
		 * Unset: no byte limit.
		 */
		private @Nullable DataSize maxLagBytes;

		/**
		 * This instance's zone, one of tandem.zones: reads go to its standbys while one
		 * is eligible, else to the other standbys, nearest first.
		 */
		private @Nullable String zone;

		/**
		 * A request header whose value is the zone for that request (for example set by a
		 * CDN or a gateway). A value that names no zone is ignored.
		 */
		private @Nullable String zoneHeader;

		/**
		 * Whether Spring Data repository reads called without a transaction (derived
		 * queries, @Query methods without @Modifying, query by example, specification and
		 * Querydsl finders, count and exists) run on a standby, read-only, with the same
		 * read-your-writes rules as any read. Methods that write or lock
		 * (@Modifying, @Lock, @Procedure, delete, remove and save methods) and methods
		 * called inside a transaction keep their route. When false, they run on the
		 * primary, as other work without a transaction does.
		 */
		private boolean repositoryQueries = true;

		public boolean isRepositoryQueries() {
			return this.repositoryQueries;
		}

		public void setRepositoryQueries(boolean repositoryQueries) {
			this.repositoryQueries = repositoryQueries;
		}

		public @Nullable String getZone() {
			return this.zone;
		}

		public void setZone(@Nullable String zone) {
			this.zone = zone;
		}

		public @Nullable String getZoneHeader() {
			return this.zoneHeader;
		}

		public void setZoneHeader(@Nullable String zoneHeader) {
			this.zoneHeader = zoneHeader;
		}

		public @Nullable ReadTarget getTarget() {
			return this.target;
		}

		public void setTarget(@Nullable ReadTarget target) {
			this.target = target;
		}

		public ReadBalance getBalance() {
			return this.balance;
		}

		public void setBalance(ReadBalance balance) {
			this.balance = balance;
		}

		public Duration getMaxLag() {
			return this.maxLag;
		}

		public void setMaxLag(Duration maxLag) {
			if (maxLag.isNegative()) {
				throw new IllegalArgumentException(
						"tandem.reads.max-lag must be zero (no limit) or positive, was " + maxLag.toMillis() + "ms");
			}
			this.maxLag = maxLag;
		}

		public @Nullable DataSize getMaxLagBytes() {
			return this.maxLagBytes;
		}

		public void setMaxLagBytes(@Nullable DataSize maxLagBytes) {
			if (maxLagBytes != null && maxLagBytes.isNegative()) {
				throw new IllegalArgumentException(
						"tandem.reads.max-lag-bytes must not be negative, was " + maxLagBytes.toBytes() + "B");
			}
			this.maxLagBytes = maxLagBytes;
		}

	}

	/**
	 * How the cluster is watched.
	 */
	public static class Topology {

		/**
		 * Time between two checks of a node.
		 */
		private Duration checkInterval = Duration.ofSeconds(1);

		public Duration getCheckInterval() {
			return this.checkInterval;
		}

		public void setCheckInterval(Duration checkInterval) {
			if (checkInterval.isNegative() || checkInterval.isZero()) {
				throw new IllegalArgumentException(
						"tandem.topology.check-interval must be positive, was " + checkInterval.toMillis() + "ms");
			}
			this.checkInterval = checkInterval;
		}

	}

	/**
	 * Running read-only work again after its standby was lost.
	 */
	public static class Retry {

		/**
		 * How many times an outermost read-only transaction may run when its node is lost
		 * (SQLState class 08, 57P01 to 57P03) or a standby cancels it over a recovery
		 * conflict (40001). '1' never runs it again. Work inside an outer transaction and
		 * read-write work are never run again.
		 */
		private int readOnlyAttempts = 2;

		public int getReadOnlyAttempts() {
			return this.readOnlyAttempts;
		}

		public void setReadOnlyAttempts(int readOnlyAttempts) {
			if (readOnlyAttempts < 1) {
				throw new IllegalArgumentException(
						"tandem.retry.read-only-attempts must be at least 1, was " + readOnlyAttempts);
			}
			this.readOnlyAttempts = readOnlyAttempts;
		}

	}

	/**
	 * Read-your-writes.
	 */
	public static class Consistency {

		/**
		 * How reads of a key with a recent write are routed: 'lsn' (to a standby that has
		 * replayed the write, else the primary), 'ttl' (to the primary while the marker
		 * lives) or 'off'.
		 */
		private ConsistencyMode mode = ConsistencyMode.LSN;

		/**
		 * Where recent-writer markers live: 'auto' (Redis when the application has a
		 * RedisConnectionFactory, else memory), 'redis' or 'memory' (this instance only).
		 */
		private Store store = Store.AUTO;

		/**
		 * How long a recent-writer marker lives. At least tandem.reads.max-lag plus two
		 * tandem.topology.check-interval.
		 */
		private Duration ttl = Duration.ofSeconds(10);

		/**
		 * How long a read may wait for a standby to replay the write it must see before
		 * it goes to the primary.
		 */
		private Duration maxWait = Duration.ofMillis(100);

		/**
		 * Request header whose value is the consistency key (for example a user id set by
		 * a gateway), at most 256 characters (a longer value is ignored). Any client can
		 * send it: a gateway in front of the application must set or strip it on every
		 * request. Unset: not used.
		 */
		private @Nullable String keyHeader;

		/**
		 * Whether the key header wins over the authenticated principal's name when a
		 * request has both. Only for a header that a gateway sets on every request.
		 */
		private boolean keyHeaderOverPrincipal;

		/**
		 * Namespace of this application's markers, hashed with each consistency key, so
		 * that applications sharing one Redis do not see each other's markers. Every
		 * instance of an application needs the same one; applications that must see each
		 * other's writes share one. Unset: spring.application.name when that is set;
		 * empty: none.
		 */
		private @Nullable String namespace;

		/**
		 * Header of the causal token: sent with the commit LSN by a request that wrote,
		 * and read from requests, which then read at least that fresh.
		 */
		private String header = "X-Read-After";

		/**
		 * Secret that signs causal tokens (HMAC-SHA256), at least 16 characters and the
		 * same value on every instance. Tokens without a valid signature are then
		 * ignored. Unset: tokens are plain positions.
		 */
		private @Nullable String tokenSecret;

		private final Cookie cookie = new Cookie();

		private final NearCache nearCache = new NearCache();

		public NearCache getNearCache() {
			return this.nearCache;
		}

		public String getHeader() {
			return this.header;
		}

		public void setHeader(String header) {
			this.header = header;
		}

		public Cookie getCookie() {
			return this.cookie;
		}

		public @Nullable String getTokenSecret() {
			return this.tokenSecret;
		}

		public void setTokenSecret(@Nullable String tokenSecret) {
			this.tokenSecret = tokenSecret;
		}

		public ConsistencyMode getMode() {
			return this.mode;
		}

		public void setMode(ConsistencyMode mode) {
			this.mode = mode;
		}

		public Store getStore() {
			return this.store;
		}

		public void setStore(Store store) {
			this.store = store;
		}

		public Duration getTtl() {
			return this.ttl;
		}

		public void setTtl(Duration ttl) {
			if (ttl.isNegative() || ttl.isZero()) {
				throw new IllegalArgumentException(
						"tandem.consistency.ttl must be positive, was " + ttl.toMillis() + "ms");
			}
			this.ttl = ttl;
		}

		public Duration getMaxWait() {
			return this.maxWait;
		}

		public void setMaxWait(Duration maxWait) {
			if (maxWait.isNegative()) {
				throw new IllegalArgumentException(
						"tandem.consistency.max-wait must not be negative, was " + maxWait.toMillis() + "ms");
			}
			this.maxWait = maxWait;
		}

		public @Nullable String getKeyHeader() {
			return this.keyHeader;
		}

		public void setKeyHeader(@Nullable String keyHeader) {
			this.keyHeader = keyHeader;
		}

		public @Nullable String getNamespace() {
			return this.namespace;
		}

		public void setNamespace(@Nullable String namespace) {
			this.namespace = namespace;
		}

		public boolean isKeyHeaderOverPrincipal() {
			return this.keyHeaderOverPrincipal;
		}

		public void setKeyHeaderOverPrincipal(boolean keyHeaderOverPrincipal) {
			this.keyHeaderOverPrincipal = keyHeaderOverPrincipal;
		}

		/**
		 * The near cache of markers: answers from Redis kept in memory until Redis says
		 * their key changed.
		 */
		public static class NearCache {

			/**
			 * Whether answers from Redis about markers are kept in memory until Redis
			 * invalidates them (client-side caching with RESP3 tracking; needs Lettuce or
			 * Jedis on a standalone, Sentinel or Cluster Redis, else lookups always go to
			 * Redis).
			 */
			private boolean enabled = true;

			/**
			 * The most answers kept (about 200 bytes each); past it, a tenth are dropped.
			 */
			private int maxEntries = 10_000;

			public boolean isEnabled() {
				return this.enabled;
			}

			public void setEnabled(boolean enabled) {
				this.enabled = enabled;
			}

			public int getMaxEntries() {
				return this.maxEntries;
			}

			public void setMaxEntries(int maxEntries) {
				this.maxEntries = maxEntries;
			}

		}

		/**
		 * The causal-token cookie, for browsers (post-redirect-get).
		 */
		public static class Cookie {

			/**
			 * Whether a request that wrote sets the causal-token cookie (Path = the
			 * context path, Max-Age = ttl, HttpOnly, SameSite=Lax, Secure on secure
			 * requests) and requests are read with it.
			 */
			private boolean enabled = true;

			/**
			 * Name of the causal-token cookie.
			 */
			private String name = "tandem-read-after";

			public boolean isEnabled() {
				return this.enabled;
			}

			public void setEnabled(boolean enabled) {
				this.enabled = enabled;
			}

			public String getName() {
				return this.name;
			}

			public void setName(String name) {
				this.name = name;
			}

		}

		/**
		 * Where markers live.
		 */
		public enum Store {

			/** Redis when the application has a RedisConnectionFactory, else memory. */
			AUTO,

			/** Redis, through the application's RedisConnectionFactory; required. */
			REDIS,

			/** This JVM only. */
			MEMORY

		}

	}

	/**
	 * Micrometer observations of routed connections.
	 */
	public static class Observations {

		/**
		 * Whether each routed connection (a transaction, or work without one) is observed
		 * as 'tandem.route' with its target, reason, consistency mode and node, when the
		 * application has an ObservationRegistry.
		 */
		private boolean enabled = true;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

	}

}

package dev.tandem.autoconfigure;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.tandem.consistency.ConsistencyMode;
import dev.tandem.routing.ReadBalance;
import dev.tandem.url.ReadTarget;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
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
		 * HikariCP settings of the writer pool, by HikariConfig property name (for
		 * example 'maximum-pool-size: 20' or 'connection-timeout: 3000').
		 */
		private Map<String, String> hikari = new LinkedHashMap<>();

		public @Nullable String getUrl() {
			return this.url;
		}

		public void setUrl(@Nullable String url) {
			this.url = url;
		}

		public Map<String, String> getHikari() {
			return this.hikari;
		}

		public void setHikari(Map<String, String> hikari) {
			this.hikari = hikari;
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
		 * HikariCP settings of every reader pool, by HikariConfig property name (for
		 * example 'maximum-pool-size: 20').
		 */
		private Map<String, String> hikari = new LinkedHashMap<>();

		public @Nullable String getUrl() {
			return this.url;
		}

		public void setUrl(@Nullable String url) {
			this.url = url;
		}

		public Map<String, String> getHikari() {
			return this.hikari;
		}

		public void setHikari(Map<String, String> hikari) {
			this.hikari = hikari;
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
		 * The causal-token cookie, for browsers (post-redirect-get).
		 */
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

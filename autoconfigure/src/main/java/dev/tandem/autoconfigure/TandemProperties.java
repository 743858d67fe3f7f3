package dev.tandem.autoconfigure;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.tandem.routing.ReadBalance;
import dev.tandem.url.ReadTarget;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

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

}

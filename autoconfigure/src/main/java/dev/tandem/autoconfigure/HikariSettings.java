package dev.tandem.autoconfigure;

import java.sql.Connection;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

import com.zaxxer.hikari.HikariConfig;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException;
import org.springframework.boot.context.properties.bind.handler.NoUnboundElementsBindHandler;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;

/**
 * Checks {@code tandem.writer.hikari.*} and {@code tandem.reader.hikari.*} (a misspelt
 * key, or a HikariCP setting that Tandem owns, is an error instead of being ignored) and
 * applies them onto a {@link HikariConfig}. Keys bind with Spring Boot's relaxed binding,
 * so {@code maximum-pool-size} and {@code maximumPoolSize} both work.
 */
final class HikariSettings {

	/** Prefix of the writer pool's settings. */
	static final String WRITER = "tandem.writer.hikari";

	/** Prefix of the reader pools' settings. */
	static final String READER = "tandem.reader.hikari";

	private static final String OWNED_OBJECT = "it takes an object: set it in a TandemPoolCustomizer bean";

	private static final String OWNED_DRIVER = "Tandem connects through pgjdbc's driver with the URL of tandem.url, "
			+ "tandem.writer.url or tandem.reader.url";

	/**
	 * HikariCP settings that are not properties of {@link TandemProperties.Hikari}, each
	 * with the reason why, by the name HikariConfig's setter gives them.
	 */
	static final Map<String, String> REFUSED;

	static {
		Map<String, String> refused = new LinkedHashMap<>();
		refused.put("jdbc-url", OWNED_DRIVER);
		refused.put("driver-class-name", OWNED_DRIVER);
		refused.put("data-source-class-name", OWNED_DRIVER);
		refused.put("data-source-j-n-d-i", OWNED_DRIVER);
		refused.put("read-only", "Tandem owns it: the writer pool is read-write and reader pools are read-only");
		refused.put("exception-override-class-name",
				"Tandem's own exception override tells the topology about lost nodes");
		refused.put("exception-override", "Tandem's own exception override tells the topology about lost nodes");
		for (String object : new String[] { "data-source", "metric-registry", "metrics-tracker-factory",
				"health-check-registry", "scheduled-executor", "thread-factory", "credentials",
				"credentials-provider" }) {
			refused.put(object, OWNED_OBJECT);
		}
		REFUSED = Map.copyOf(refused);
	}

	private HikariSettings() {
	}

	/**
	 * Fails on a key under {@code prefix} that names no setting, or a setting Tandem
	 * owns.
	 * @param binder the binder of the application's environment
	 * @param prefix {@link #WRITER} or {@link #READER}
	 */
	static void check(Binder binder, String prefix) {
		TandemProperties.Hikari settings;
		try {
			settings = binder
				.bind(prefix, Bindable.of(TandemProperties.Hikari.class),
						new NoUnboundElementsBindHandler(BindHandler.DEFAULT))
				.orElse(null);
		}
		catch (BindException ex) {
			// Not chained when a key is unbound: Spring Boot's analysis of the unbound
			// exception would hide the reason.
			throw (ex.getCause() instanceof UnboundConfigurationPropertiesException)
					? new IllegalStateException(message(prefix, ex))
					: new IllegalStateException(message(prefix, ex), ex);
		}
		if (READER.equals(prefix) && settings != null && settings.getPoolName() != null) {
			throw new IllegalStateException("Invalid HikariCP setting " + READER + ".pool-name: each reader pool is "
					+ "named after its host (tandem-reader-<host>-<port>); a TandemPoolCustomizer can rename it");
		}
	}

	private static String message(String prefix, BindException ex) {
		if (ex.getCause() instanceof UnboundConfigurationPropertiesException unbound) {
			ConfigurationProperty property = unbound.getUnboundProperties().iterator().next();
			ConfigurationPropertyName name = property.getName();
			for (Map.Entry<String, String> refused : REFUSED.entrySet()) {
				ConfigurationPropertyName owned = ConfigurationPropertyName.of(prefix + "." + refused.getKey());
				if (owned.equals(name) || owned.isAncestorOf(name)) {
					return "Invalid HikariCP setting " + name + ": " + refused.getValue();
				}
			}
			return "Invalid HikariCP setting " + name + " (value '" + property.getValue() + "'): no such setting "
					+ "under " + prefix + " (keys are HikariConfig property names, such as maximum-pool-size or "
					+ "connection-timeout; see the configuration metadata or the README)";
		}
		return "Invalid HikariCP settings under " + prefix + ": " + rootMessage(ex);
	}

	private static String rootMessage(Throwable ex) {
		Throwable cause = ex;
		while (cause.getCause() != null) {
			cause = cause.getCause();
		}
		return cause.getMessage();
	}

	/**
	 * Applies the settings that are set onto a configuration.
	 * @param settings the settings of one side
	 * @param config the configuration of one of that side's pools
	 */
	static void apply(TandemProperties.Hikari settings, HikariConfig config) {
		set(settings.getMaximumPoolSize(), config::setMaximumPoolSize);
		set(settings.getMinimumIdle(), config::setMinimumIdle);
		set(millis(settings.getConnectionTimeout()), config::setConnectionTimeout);
		set(millis(settings.getIdleTimeout()), config::setIdleTimeout);
		set(millis(settings.getMaxLifetime()), config::setMaxLifetime);
		set(millis(settings.getKeepaliveTime()), config::setKeepaliveTime);
		set(millis(settings.getValidationTimeout()), config::setValidationTimeout);
		set(millis(settings.getLeakDetectionThreshold()), config::setLeakDetectionThreshold);
		set(millis(settings.getInitializationFailTimeout()), config::setInitializationFailTimeout);
		set(settings.getConnectionTestQuery(), config::setConnectionTestQuery);
		set(settings.getConnectionInitSql(), config::setConnectionInitSql);
		set(settings.getTransactionIsolation(), config::setTransactionIsolation);
		set(settings.getAutoCommit(), config::setAutoCommit);
		set(settings.getIsolateInternalQueries(), config::setIsolateInternalQueries);
		set(settings.getAllowPoolSuspension(), config::setAllowPoolSuspension);
		set(settings.getRegisterMbeans(), config::setRegisterMbeans);
		set(settings.getPoolName(), config::setPoolName);
		set(settings.getCatalog(), config::setCatalog);
		set(settings.getSchema(), config::setSchema);
		set(settings.getUsername(), config::setUsername);
		set(settings.getPassword(), config::setPassword);
		set(settings.getCredentialsProviderClassName(), config::setCredentialsProviderClassName);
		settings.getDataSourceProperties().forEach(config::addDataSourceProperty);
		settings.getHealthCheckProperties().forEach(config::addHealthCheckProperty);
	}

	/**
	 * The isolation level of the writer pool's connections, which the routing DataSource
	 * reports before it borrows one.
	 * @param name the writer's {@code transaction-isolation}, or {@code null}
	 * @return a {@link Connection} isolation constant; PostgreSQL's default, read
	 * committed, when unset
	 */
	static int isolationLevel(@Nullable String name) {
		if (name == null) {
			return Connection.TRANSACTION_READ_COMMITTED;
		}
		return switch (name.trim().toUpperCase(Locale.ROOT)) {
			case "TRANSACTION_READ_UNCOMMITTED", "1" -> Connection.TRANSACTION_READ_UNCOMMITTED;
			case "TRANSACTION_READ_COMMITTED", "2" -> Connection.TRANSACTION_READ_COMMITTED;
			case "TRANSACTION_REPEATABLE_READ", "4" -> Connection.TRANSACTION_REPEATABLE_READ;
			case "TRANSACTION_SERIALIZABLE", "8" -> Connection.TRANSACTION_SERIALIZABLE;
			default -> throw new IllegalStateException("Invalid HikariCP setting " + WRITER
					+ ".transaction-isolation: '" + name + "' (expected TRANSACTION_READ_COMMITTED, "
					+ "TRANSACTION_REPEATABLE_READ, TRANSACTION_SERIALIZABLE or TRANSACTION_READ_UNCOMMITTED)");
		};
	}

	private static @Nullable Long millis(@Nullable Duration duration) {
		return (duration != null) ? duration.toMillis() : null;
	}

	private static <T> void set(@Nullable T value, Consumer<T> setter) {
		if (value != null) {
			setter.accept(value);
		}
	}

}

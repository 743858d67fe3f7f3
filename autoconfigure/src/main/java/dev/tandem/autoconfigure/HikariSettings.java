package dev.tandem.autoconfigure;

import java.util.Map;

import com.zaxxer.hikari.HikariConfig;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.handler.NoUnboundElementsBindHandler;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * Applies {@code tandem.writer.hikari.*} or {@code tandem.reader.hikari.*} onto a
 * {@link HikariConfig} with Spring Boot's relaxed binding, so {@code maximum-pool-size}
 * and {@code maximumPoolSize} both work and a misspelt key is an error instead of being
 * ignored.
 */
final class HikariSettings {

	private HikariSettings() {
	}

	static void apply(String prefix, Map<String, String> settings, HikariConfig config) {
		if (settings.isEmpty()) {
			return;
		}
		MapConfigurationPropertySource source = new MapConfigurationPropertySource();
		settings.forEach((key, value) -> source.put(prefix + "." + key, value));
		Binder binder = new Binder(source);
		try {
			binder.bind(ConfigurationPropertyName.of(prefix), Bindable.ofInstance(config),
					new NoUnboundElementsBindHandler(BindHandler.DEFAULT));
		}
		catch (BindException ex) {
			throw new IllegalStateException(
					"Invalid HikariCP settings under " + prefix + " (keys are HikariConfig property names, such as "
							+ "maximum-pool-size or connection-timeout): " + rootMessage(ex),
					ex);
		}
	}

	private static String rootMessage(Throwable ex) {
		Throwable cause = ex;
		while (cause.getCause() != null) {
			cause = cause.getCause();
		}
		return cause.getMessage();
	}

}

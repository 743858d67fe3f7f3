package dev.tandem.autoconfigure;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.SpringBootVersion;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Refuses to start on a Spring Boot line Tandem does not support, before any of its
 * auto-configuration is loaded (on Spring Boot 3 that would fail on a missing class,
 * naming none of this). Registered in {@code META-INF/spring.factories}, so it runs in
 * every application that has the starter, and uses only what Spring Boot 3 and 4 share. A
 * line newer than the newest tested one starts with a warning.
 */
public class SpringBootVersionCheck implements ApplicationContextInitializer<ConfigurableApplicationContext> {

	private static final Logger logger = LoggerFactory.getLogger(SpringBootVersionCheck.class);

	/** The lines Tandem is built and tested on: 4.0 and 4.1. */
	static final int MAJOR = 4;

	static final int NEWEST_MINOR = 1;

	private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)(?:\\..*)?");

	@Override
	public void initialize(ConfigurableApplicationContext context) {
		String warning = check(SpringBootVersion.getVersion());
		if (warning != null) {
			logger.warn(warning);
		}
	}

	/**
	 * Checks a Spring Boot version.
	 * @param version the version, or {@code null} when unknown (Spring Boot's classes not
	 * from its jar)
	 * @return a warning for a line newer than the tested ones, else {@code null}
	 * @throws UnsupportedSpringBootVersionException for a line older than 4.0
	 */
	static @Nullable String check(@Nullable String version) {
		Matcher matcher = (version != null) ? VERSION.matcher(version) : null;
		if (matcher == null || !matcher.matches()) {
			return null;
		}
		int major = Integer.parseInt(matcher.group(1));
		int minor = Integer.parseInt(matcher.group(2));
		if (major < MAJOR) {
			throw new UnsupportedSpringBootVersionException(version);
		}
		if (major > MAJOR || minor > NEWEST_MINOR) {
			return "Tandem is tested on Spring Boot 4.0 and 4.1; this application runs Spring Boot " + version
					+ ". If routing or its auto-configuration misbehave, check for a newer Tandem.";
		}
		return null;
	}

}

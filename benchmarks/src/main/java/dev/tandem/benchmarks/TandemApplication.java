package dev.tandem.benchmarks;

import java.util.Map;

import org.springframework.boot.Banner;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The whole application of a Tandem candidate (and of each consistency-checker instance):
 * auto-configuration only, no component scan, so each context holds Tandem, Spring Boot's
 * JDBC and Redis configuration and nothing of the benchmarks.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class TandemApplication {

	/**
	 * Starts one application context, quietly: no web server, no banner, no startup info,
	 * no shutdown hook (the caller closes it).
	 * @param properties its configuration ({@code tandem.*}, {@code spring.*})
	 * @return the running context
	 */
	public static ConfigurableApplicationContext start(Map<String, Object> properties) {
		return new SpringApplicationBuilder(TandemApplication.class).web(WebApplicationType.NONE)
			.bannerMode(Banner.Mode.OFF)
			.logStartupInfo(false)
			.registerShutdownHook(false)
			.properties(properties)
			.run();
	}

}

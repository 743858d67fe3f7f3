package dev.tandem.autoconfigure;

import dev.tandem.actuate.RouteObservationConvention;
import dev.tandem.actuate.RoutingObservations;
import dev.tandem.topology.TopologyMonitor;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Micrometer observations of routed connections ({@code tandem.route}, see
 * {@link dev.tandem.actuate.RouteObservationDocumentation}), when the application has an
 * {@link ObservationRegistry} (Spring Boot's Actuator defines one) and
 * {@code tandem.observations.enabled} is not {@code false}.
 * <p>
 * Ordered after the auto-configuration that defines the registry, so that the condition
 * on it sees it, and after Tandem's meters, whose routing meters back off when the
 * application defines a {@link dev.tandem.routing.RoutingObserver} of its own: the
 * observer defined here is not one of those. The observer is only looked up when Tandem's
 * {@code DataSource} is created, after every bean definition is known.
 */
@AutoConfiguration(after = { TandemAutoConfiguration.class, TandemMetricsAutoConfiguration.class },
		afterName = "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration")
@ConditionalOnClass(ObservationRegistry.class)
@ConditionalOnBean({ TopologyMonitor.class, ObservationRegistry.class })
@ConditionalOnBooleanProperty(name = "tandem.observations.enabled", matchIfMissing = true)
public final class TandemObservationAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	RoutingObservations tandemRoutingObservations(ObservationRegistry registry,
			ObjectProvider<RouteObservationConvention> convention, TandemProperties properties) {
		return new RoutingObservations(registry, convention.getIfUnique(), properties.getConsistency().getMode());
	}

}

package dev.tandem.autoconfigure;

import dev.tandem.actuate.TandemEndpoint;
import dev.tandem.pool.TandemPools;
import dev.tandem.routing.ReaderSelector;
import dev.tandem.topology.TopologyMonitor;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Registers the {@code tandem} Actuator endpoint when it is available (enabled and
 * exposed over HTTP or JMX).
 */
@AutoConfiguration(after = TandemAutoConfiguration.class)
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnBean({ TopologyMonitor.class, ReaderSelector.class, TandemPools.class })
public final class TandemEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnAvailableEndpoint(TandemEndpoint.class)
	TandemEndpoint tandemEndpoint(TopologyMonitor monitor, ReaderSelector selector, TandemPools pools) {
		return new TandemEndpoint(monitor, selector, pools);
	}

}

package dev.tandem.autoconfigure;

import dev.tandem.actuate.MarkerStoreHealthIndicator;
import dev.tandem.actuate.TandemHealthContributor;
import dev.tandem.consistency.MarkerStore;
import dev.tandem.routing.ReadZones;
import dev.tandem.routing.ReaderSelector;
import dev.tandem.topology.TopologyMonitor;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Registers the {@code tandem} health contributor, one component per node, unless
 * {@code management.health.tandem.enabled=false}, and the {@code tandemMarkers} health of
 * the read-your-writes marker store, unless
 * {@code management.health.tandem-markers.enabled=false}.
 */
@AutoConfiguration(after = TandemAutoConfiguration.class)
@ConditionalOnClass(ConditionalOnEnabledHealthIndicator.class)
@ConditionalOnBean(TopologyMonitor.class)
public final class TandemHealthContributorAutoConfiguration {

	@Bean
	@ConditionalOnEnabledHealthIndicator("tandem")
	@ConditionalOnMissingBean(name = { "tandemHealthIndicator", "tandemHealthContributor" })
	TandemHealthContributor tandemHealthContributor(TopologyMonitor monitor, ObjectProvider<ReaderSelector> selector) {
		ReaderSelector readerSelector = selector.getIfAvailable();
		return new TandemHealthContributor(monitor, (readerSelector != null) ? readerSelector.zones() : ReadZones.NONE);
	}

	@Bean
	@ConditionalOnEnabledHealthIndicator("tandem-markers")
	@ConditionalOnBean(MarkerStore.class)
	@ConditionalOnMissingBean(name = "tandemMarkersHealthIndicator")
	MarkerStoreHealthIndicator tandemMarkersHealthIndicator(MarkerStore store) {
		return new MarkerStoreHealthIndicator(store);
	}

}

package dev.tandem.autoconfigure;

import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import dev.tandem.actuate.NearCacheMetrics;
import dev.tandem.actuate.RoutingMetrics;
import dev.tandem.actuate.TopologyMetrics;
import dev.tandem.consistency.MarkerStore;
import dev.tandem.consistency.redis.NearCache;
import dev.tandem.consistency.redis.RedisMarkerStore;
import dev.tandem.routing.RoutingObserver;
import dev.tandem.topology.TopologyMonitor;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Micrometer meters of Tandem ({@code tandem.*}, see
 * {@link dev.tandem.actuate.TandemMeters}) and HikariCP's {@code hikaricp.*} meters for
 * every pool, the writer and each reader.
 * <p>
 * Ordered after the auto-configurations that define the {@link MeterRegistry}, so that
 * the condition on it sees them. The beans it defines are only looked up when Tandem's
 * pools and {@code DataSource} are created, after every bean definition is known.
 */
@AutoConfiguration(after = TandemAutoConfiguration.class,
		afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnClass({ MeterRegistry.class, MicrometerMetricsTrackerFactory.class })
@ConditionalOnBean({ TopologyMonitor.class, MeterRegistry.class })
public final class TandemMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(RoutingObserver.class)
	RoutingMetrics tandemRoutingMetrics(MeterRegistry registry) {
		return new RoutingMetrics(registry);
	}

	@Bean
	@ConditionalOnMissingBean
	TopologyMetrics tandemTopologyMetrics(TopologyMonitor monitor) {
		return new TopologyMetrics(monitor);
	}

	/**
	 * Gives every pool HikariCP's Micrometer tracker before it starts: reader pools are
	 * not beans, so Spring Boot's own binding of {@code HikariDataSource} beans cannot
	 * reach them. A pool whose configuration already has a tracker or a metric registry
	 * (set by another {@link TandemPoolCustomizer}) keeps it.
	 * @param registry the registry, looked up when the first pool is configured
	 * @return the customizer
	 */
	@Bean
	TandemPoolCustomizer tandemPoolMetricsCustomizer(ObjectProvider<MeterRegistry> registry) {
		return (config) -> {
			MeterRegistry meterRegistry = registry.getIfUnique();
			if (meterRegistry != null && config.getMetricsTrackerFactory() == null
					&& config.getMetricRegistry() == null) {
				config.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(meterRegistry));
			}
		};
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "org.springframework.data.redis.connection.RedisConnectionFactory")
	@ConditionalOnBean(MarkerStore.class)
	static class NearCacheMetricsConfiguration {

		/**
		 * The near cache's meters, when the marker store reads Redis with one.
		 * @param store the marker store
		 * @return the binder
		 */
		@Bean
		MeterBinder tandemNearCacheMetrics(MarkerStore store) {
			return (registry) -> {
				NearCache cache = RedisMarkerStore.nearCacheOf(store);
				if (cache != null) {
					new NearCacheMetrics(cache).bindTo(registry);
				}
			};
		}

	}

}

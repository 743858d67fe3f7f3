package dev.tandem.autoconfigure;

import java.time.Duration;

import dev.tandem.consistency.FallbackMarkerStore;
import dev.tandem.consistency.MarkerStore;
import dev.tandem.consistency.MemoryMarkerStore;
import dev.tandem.consistency.redis.RedisMarkerStore;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * The marker store, by {@code tandem.consistency.store}: {@code memory}, {@code redis}
 * (required), or {@code auto} (Redis when the application has a
 * {@link RedisConnectionFactory}, else memory). Tandem never creates Redis connections of
 * its own: an application without a {@code RedisConnectionFactory} makes no Redis
 * connection attempts.
 */
final class MarkerStoreConfigurations {

	/** How long Redis is left alone after a failure. */
	static final Duration REDIS_PAUSE = Duration.ofSeconds(1);

	private MarkerStoreConfigurations() {
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(RedisConnectionFactory.class)
	static class Redis {

		@Bean
		@ConditionalOnMissingBean
		MarkerStore tandemMarkerStore(TandemProperties properties, ObjectProvider<RedisConnectionFactory> redis) {
			TandemProperties.Consistency.Store store = properties.getConsistency().getStore();
			if (store == TandemProperties.Consistency.Store.MEMORY) {
				return new MemoryMarkerStore();
			}
			RedisConnectionFactory factory = redis.getIfUnique();
			if (factory == null) {
				if (store == TandemProperties.Consistency.Store.REDIS) {
					throw new MarkerStoreUnavailableException("tandem.consistency.store is 'redis' but the application "
							+ "has no single RedisConnectionFactory bean");
				}
				return new MemoryMarkerStore();
			}
			Duration ttl = properties.getConsistency().getTtl();
			TandemProperties.Consistency.NearCache nearCache = properties.getConsistency().getNearCache();
			int nearCacheEntries = nearCache.isEnabled() ? nearCache.getMaxEntries() : 0;
			return new FallbackMarkerStore(new RedisMarkerStore(factory, ttl, nearCacheEntries),
					new MemoryMarkerStore(), REDIS_PAUSE, ttl);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnMissingClass("org.springframework.data.redis.connection.RedisConnectionFactory")
	static class Memory {

		@Bean
		@ConditionalOnMissingBean
		MarkerStore tandemMarkerStore(TandemProperties properties) {
			if (properties.getConsistency().getStore() == TandemProperties.Consistency.Store.REDIS) {
				throw new MarkerStoreUnavailableException(
						"tandem.consistency.store is 'redis' but Spring Data Redis is not on the classpath");
			}
			return new MemoryMarkerStore();
		}

	}

}

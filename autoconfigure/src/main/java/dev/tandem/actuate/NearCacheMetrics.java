package dev.tandem.actuate;

import dev.tandem.consistency.redis.NearCache;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Meters of the near cache of markers: {@code tandem.consistency.near-cache.hits},
 * {@code .misses}, {@code .invalidations}, {@code .flushes} (tag {@code cause}) and the
 * gauges {@code .size} and {@code .open} (1 while invalidations flow).
 */
public final class NearCacheMetrics implements MeterBinder {

	private static final String PREFIX = "tandem.consistency.near-cache.";

	private final NearCache cache;

	/**
	 * Creates the meters of a cache.
	 * @param cache the cache
	 */
	public NearCacheMetrics(NearCache cache) {
		this.cache = cache;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		FunctionCounter.builder(PREFIX + "hits", this.cache, NearCache::hits)
			.description("Marker lookups answered from memory")
			.register(registry);
		FunctionCounter.builder(PREFIX + "misses", this.cache, NearCache::misses)
			.description("Marker lookups that went to Redis while the near cache was open")
			.register(registry);
		FunctionCounter.builder(PREFIX + "invalidations", this.cache, NearCache::invalidations)
			.description("Marker keys forgotten because Redis said they changed or this instance wrote them")
			.register(registry);
		for (NearCache.Flush cause : NearCache.Flush.values()) {
			FunctionCounter.builder(PREFIX + "flushes", this.cache, (cache) -> cache.flushes(cause))
				.description("Times the near cache was emptied")
				.tag("cause", cause.tag())
				.register(registry);
		}
		Gauge.builder(PREFIX + "size", this.cache, NearCache::size)
			.description("Answers kept in the near cache")
			.register(registry);
		Gauge.builder(PREFIX + "open", this.cache, (cache) -> cache.isOpen() ? 1 : 0)
			.description("1 while the near cache's invalidations flow, else 0 (lookups go to Redis)")
			.register(registry);
	}

}

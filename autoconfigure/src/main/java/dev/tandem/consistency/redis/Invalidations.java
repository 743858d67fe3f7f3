package dev.tandem.consistency.redis;

import java.time.Duration;

/**
 * The invalidation channel of a {@link NearCache}, as the store sees it (no Redis client
 * type in sight, so that the store loads without Lettuce).
 */
interface Invalidations extends AutoCloseable {

	/**
	 * Waits until every invalidation that reached this instance before the call has been
	 * applied to the cache.
	 * @param timeout the longest wait
	 * @return whether it was; {@code false} when not in time or the channel is not open
	 */
	boolean catchUp(Duration timeout);

	/**
	 * The Redis client id of the channel's connection, once known.
	 * @return the id, or -1
	 */
	long clientId();

	@Override
	void close();

}

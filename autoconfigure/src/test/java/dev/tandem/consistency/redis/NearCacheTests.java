package dev.tandem.consistency.redis;

import dev.tandem.wal.Lsn;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rules of the {@link NearCache}, without Redis.
 */
class NearCacheTests {

	private static final Lsn LSN = Lsn.parse("0/3000060");

	private final NearCache cache = open(new NearCache(100));

	private static NearCache open(NearCache cache) {
		cache.open();
		return cache;
	}

	@Test
	void anAnswerIsKeptAndGivenBackIncludingNoMarker() {
		this.cache.complete(this.cache.startFill("a"), LSN);
		this.cache.complete(this.cache.startFill("b"), null);
		assertThat(this.cache.peek("a")).isEqualTo(new NearCache.Answer(LSN));
		assertThat(this.cache.peek("b")).isEqualTo(new NearCache.Answer(null));
		assertThat(this.cache.peek("c")).isNull();
	}

	@Test
	void anInvalidationThatOvertakesTheAnswerKeepsTheAnswerOut() {
		NearCache.Fill fill = this.cache.startFill("a");
		this.cache.invalidate("a");
		this.cache.complete(fill, null);
		assertThat(this.cache.peek("a")).isNull();
	}

	@Test
	void anInvalidationAfterTheAnswerRemovesIt() {
		this.cache.complete(this.cache.startFill("a"), null);
		this.cache.invalidate("a");
		assertThat(this.cache.peek("a")).isNull();
		assertThat(this.cache.invalidations()).isEqualTo(1);
	}

	@Test
	void aFlushDuringALookupKeepsItsAnswerOut() {
		NearCache.Fill fill = this.cache.startFill("a");
		this.cache.flush(NearCache.Flush.STORE_FAILED);
		this.cache.complete(fill, LSN);
		assertThat(this.cache.peek("a")).isNull();
		assertThat(this.cache.flushes(NearCache.Flush.STORE_FAILED)).isEqualTo(1);
	}

	@Test
	void aClosedCacheGivesAndKeepsNothingAndOpensEmpty() {
		this.cache.complete(this.cache.startFill("a"), LSN);
		NearCache.Fill before = this.cache.startFill("b");
		this.cache.close(NearCache.Flush.CONNECTION_LOST);
		assertThat(this.cache.peek("a")).isNull();
		assertThat(this.cache.startFill("c")).isNull();
		this.cache.complete(before, LSN);
		this.cache.open();
		assertThat(this.cache.isOpen()).isTrue();
		assertThat(this.cache.peek("a")).isNull();
		assertThat(this.cache.peek("b")).isNull();
		assertThat(this.cache.size()).isZero();
		assertThat(this.cache.flushes(NearCache.Flush.CONNECTION_LOST)).isEqualTo(1);
	}

	@Test
	void aNewCacheIsClosedUntilTrackingIsOn() {
		NearCache fresh = new NearCache(10);
		assertThat(fresh.startFill("a")).isNull();
		assertThat(fresh.peek("a")).isNull();
		fresh.miss();
		assertThat(fresh.misses()).isZero();
	}

	@Test
	void anAbandonedLookupLeavesNothingPending() {
		NearCache.Fill fill = this.cache.startFill("a");
		this.cache.abandon(fill);
		this.cache.complete(fill, LSN);
		assertThat(this.cache.peek("a")).isNull();
	}

	@Test
	void theCacheStaysWithinItsBound() {
		NearCache small = open(new NearCache(20));
		for (int i = 0; i < 1000; i++) {
			small.complete(small.startFill("k" + i), null);
		}
		assertThat(small.size()).isLessThanOrEqualTo(20);
	}

}

package dev.tandem.consistency.redis;

import dev.tandem.consistency.KeyDigest;
import dev.tandem.wal.Lsn;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rules of the {@link NearCache}, without Redis.
 */
class NearCacheTests {

	private static final Lsn LSN = Lsn.parse("0/3000060");

	private static final KeyDigest A = KeyDigest.of("a");

	private static final KeyDigest B = KeyDigest.of("b");

	private static final KeyDigest C = KeyDigest.of("c");

	private final NearCache cache = open(new NearCache(100));

	private static NearCache open(NearCache cache) {
		cache.open();
		return cache;
	}

	@Test
	void anAnswerIsKeptAndGivenBackIncludingNoMarker() {
		this.cache.complete(this.cache.startFill(A), LSN);
		this.cache.complete(this.cache.startFill(B), null);
		assertThat(this.cache.peek(A)).isEqualTo(new NearCache.Answer(LSN));
		assertThat(this.cache.peek(B)).isEqualTo(new NearCache.Answer(null));
		assertThat(this.cache.peek(C)).isNull();
	}

	@Test
	void anInvalidationThatOvertakesTheAnswerKeepsTheAnswerOut() {
		NearCache.Fill fill = this.cache.startFill(A);
		this.cache.invalidate(A);
		this.cache.complete(fill, null);
		assertThat(this.cache.peek(A)).isNull();
	}

	@Test
	void anInvalidationAfterTheAnswerRemovesIt() {
		this.cache.complete(this.cache.startFill(A), null);
		this.cache.invalidate(A);
		assertThat(this.cache.peek(A)).isNull();
		assertThat(this.cache.invalidations()).isEqualTo(1);
	}

	@Test
	void anInvalidationNamesTheKeyAsRedisDoesAndOtherKeysAreIgnored() {
		this.cache.complete(this.cache.startFill(A), LSN);
		this.cache.complete(this.cache.startFill(B), LSN);
		this.cache.invalidate("tandem:rw:" + A.hex().substring(0, 63));
		this.cache.invalidate("other:" + A.hex());
		this.cache.invalidate("tandem:rw:" + B.hex() + "0");
		assertThat(this.cache.peek(A)).isNotNull();
		assertThat(this.cache.peek(B)).isNotNull();
		this.cache.invalidate("tandem:rw:" + A.hex());
		assertThat(this.cache.peek(A)).isNull();
		assertThat(this.cache.peek(B)).isNotNull();
	}

	@Test
	void aFlushDuringALookupKeepsItsAnswerOut() {
		NearCache.Fill fill = this.cache.startFill(A);
		this.cache.flush(NearCache.Flush.STORE_FAILED);
		this.cache.complete(fill, LSN);
		assertThat(this.cache.peek(A)).isNull();
		assertThat(this.cache.flushes(NearCache.Flush.STORE_FAILED)).isEqualTo(1);
	}

	@Test
	void aClosedCacheGivesAndKeepsNothingAndOpensEmpty() {
		this.cache.complete(this.cache.startFill(A), LSN);
		NearCache.Fill before = this.cache.startFill(B);
		this.cache.close(NearCache.Flush.CONNECTION_LOST);
		assertThat(this.cache.peek(A)).isNull();
		assertThat(this.cache.startFill(C)).isNull();
		this.cache.complete(before, LSN);
		this.cache.open();
		assertThat(this.cache.isOpen()).isTrue();
		assertThat(this.cache.peek(A)).isNull();
		assertThat(this.cache.peek(B)).isNull();
		assertThat(this.cache.size()).isZero();
		assertThat(this.cache.flushes(NearCache.Flush.CONNECTION_LOST)).isEqualTo(1);
	}

	@Test
	void aNewCacheIsClosedUntilTrackingIsOn() {
		NearCache fresh = new NearCache(10);
		assertThat(fresh.startFill(A)).isNull();
		assertThat(fresh.peek(A)).isNull();
		fresh.miss();
		assertThat(fresh.misses()).isZero();
	}

	@Test
	void anAbandonedLookupLeavesNothingPending() {
		NearCache.Fill fill = this.cache.startFill(A);
		this.cache.abandon(fill);
		this.cache.complete(fill, LSN);
		assertThat(this.cache.peek(A)).isNull();
	}

	@Test
	void theCacheStaysWithinItsBound() {
		NearCache small = open(new NearCache(20));
		for (int i = 0; i < 1000; i++) {
			small.complete(small.startFill(KeyDigest.of("k" + i)), null);
		}
		assertThat(small.size()).isLessThanOrEqualTo(20);
	}

}

package dev.tandem.topology;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link LagLimit}.
 */
class LagLimitTests {

	private static final LagLimit FIVE_SECONDS = new LagLimit(Duration.ofSeconds(5), null);

	@Test
	void aStandbyBeyondTheLimitLags() {
		assertThat(FIVE_SECONDS.lagging(false, Duration.ofMillis(5001), 0L)).isTrue();
		assertThat(FIVE_SECONDS.lagging(false, Duration.ofSeconds(5), 0L)).isFalse();
	}

	@Test
	void aLaggingStandbyRecoversOnlyAtHalfTheLimit() {
		assertThat(FIVE_SECONDS.lagging(true, Duration.ofSeconds(4), 0L)).isTrue();
		assertThat(FIVE_SECONDS.lagging(true, Duration.ofMillis(2501), 0L)).isTrue();
		assertThat(FIVE_SECONDS.lagging(true, Duration.ofMillis(2500), 0L)).isFalse();
	}

	@Test
	void unknownLagNeverCountsAgainstAStandby() {
		assertThat(FIVE_SECONDS.lagging(false, null, null)).isFalse();
		assertThat(FIVE_SECONDS.lagging(true, null, null)).isFalse();
	}

	@Test
	void zeroDisablesTheTimeLimit() {
		assertThat(LagLimit.NONE.lagging(false, Duration.ofHours(1), Long.MAX_VALUE)).isFalse();
		assertThat(LagLimit.NONE.lagging(true, Duration.ofHours(1), Long.MAX_VALUE)).isFalse();
	}

	@Test
	void theByteLimitAppliesOnTopOfTheTimeLimit() {
		LagLimit limit = new LagLimit(Duration.ofSeconds(5), 1000L);
		assertThat(limit.lagging(false, Duration.ZERO, 1001L)).isTrue();
		assertThat(limit.lagging(false, Duration.ZERO, 1000L)).isFalse();
		assertThat(limit.lagging(true, Duration.ZERO, 501L)).isTrue();
		assertThat(limit.lagging(true, Duration.ZERO, 500L)).isFalse();
		assertThat(limit.lagging(true, Duration.ofSeconds(3), 0L)).isTrue();
	}

	@Test
	void negativeLimitsAreRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> new LagLimit(Duration.ofSeconds(-1), null));
		assertThatIllegalArgumentException().isThrownBy(() -> new LagLimit(Duration.ZERO, -1L));
	}

}

package dev.tandem.autoconfigure;

import java.time.Duration;

import dev.tandem.consistency.CausalTokens;
import dev.tandem.consistency.ConsistencyMode;
import dev.tandem.consistency.MemoryMarkerStore;
import dev.tandem.consistency.SwitchableMarkerStore;
import dev.tandem.wal.Lsn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * Tests for {@link ConsistencySettings}.
 */
@ExtendWith(OutputCaptureExtension.class)
class ConsistencySettingsTests {

	private final TandemProperties properties = new TandemProperties();

	@Test
	void theDefaultsPass() {
		assertThatNoException().isThrownBy(() -> ConsistencySettings.check(this.properties));
		assertThat(ConsistencySettings.tokenSigner(this.properties)).isNull();
	}

	@Test
	void aTtlOfExactlyMaxLagPlusTwoChecksPasses() {
		this.properties.getReads().setMaxLag(Duration.ofSeconds(5));
		this.properties.getTopology().setCheckInterval(Duration.ofSeconds(1));
		this.properties.getConsistency().setTtl(Duration.ofSeconds(7));
		assertThatNoException().isThrownBy(() -> ConsistencySettings.check(this.properties));
	}

	@Test
	void aTtlOneMillisecondShorterFailsNamingEveryPropertyInvolved() {
		this.properties.getReads().setMaxLag(Duration.ofSeconds(5));
		this.properties.getTopology().setCheckInterval(Duration.ofSeconds(1));
		this.properties.getConsistency().setTtl(Duration.ofMillis(6999));
		assertThatExceptionOfType(InvalidConsistencySettingsException.class)
			.isThrownBy(() -> ConsistencySettings.check(this.properties))
			.withMessageContaining("tandem.consistency.ttl (PT6.999S)")
			.withMessageContaining("tandem.reads.max-lag (PT5S)")
			.withMessageContaining("two tandem.topology.check-interval (2 x PT1S) = PT7S");
	}

	@Test
	void withConsistencyOffTheTtlAndTheNearCacheAreNotChecked() {
		this.properties.getConsistency().setMode(ConsistencyMode.OFF);
		this.properties.getConsistency().setTtl(Duration.ofMillis(1));
		this.properties.getConsistency().getNearCache().setMaxEntries(0);
		assertThatNoException().isThrownBy(() -> ConsistencySettings.check(this.properties));
	}

	@Test
	void withConsistencyOffAShortTokenSecretStillFails() {
		this.properties.getConsistency().setMode(ConsistencyMode.OFF);
		this.properties.getConsistency().setTokenSecret("short");
		assertThatExceptionOfType(InvalidConsistencySettingsException.class)
			.isThrownBy(() -> ConsistencySettings.check(this.properties));
	}

	@Test
	void aNearCacheOfNoEntriesFailsSayingHowToTurnItOff() {
		this.properties.getConsistency().getNearCache().setMaxEntries(0);
		assertThatExceptionOfType(InvalidConsistencySettingsException.class)
			.isThrownBy(() -> ConsistencySettings.check(this.properties))
			.withMessageContaining("tandem.consistency.near-cache.max-entries (0) must be at least 1")
			.withMessageContaining("tandem.consistency.near-cache.enabled=false");
		this.properties.getConsistency().getNearCache().setEnabled(false);
		assertThatNoException().isThrownBy(() -> ConsistencySettings.check(this.properties));
	}

	@Test
	void aTokenSecretOfFifteenCharactersFailsShowingItsLengthOnly() {
		this.properties.getConsistency().setTokenSecret("fifteen-chars!!");
		assertThatExceptionOfType(InvalidConsistencySettingsException.class)
			.isThrownBy(() -> ConsistencySettings.tokenSigner(this.properties))
			.withMessageContaining("(****** masked, 15 characters) must be at least 16 characters")
			.withMessageNotContaining("fifteen-chars!!")
			.satisfies((ex) -> assertThat(ex.getAction()).contains("'tandem.consistency.token-secret'")
				.doesNotContain("fifteen-chars!!"));
	}

	@Test
	void aTokenSecretOfSixteenCharactersSignsTokens() {
		this.properties.getConsistency().setTokenSecret("sixteen-chars!!!");
		CausalTokens.Signer signer = ConsistencySettings.tokenSigner(this.properties);
		assertThat(signer).isNotNull();
		assertThat(signer.verify(signer.sign(new Lsn(42)))).isEqualTo(new Lsn(42));
		assertThat(CausalTokens.Signer.of("sixteen-chars!!!").verify(signer.sign(new Lsn(42))))
			.as("the same secret on another instance")
			.isEqualTo(new Lsn(42));
	}

	@Test
	void noLagLimitWarnsThatReadYourWritesEndsWithTheTtl(CapturedOutput output) {
		this.properties.getReads().setMaxLag(Duration.ZERO);
		ConsistencySettings.check(this.properties);
		assertThat(output).contains("tandem.reads.max-lag is 0 (no lag limit)")
			.contains("tandem.consistency.ttl PT10S");
	}

	@Test
	void describeTellsHowFarReadYourWritesReaches() {
		assertThat(ConsistencySettings.describe(new MemoryMarkerStore())).contains("within this instance only");
		assertThat(ConsistencySettings.describe(new SwitchableMarkerStore())).contains("across every instance");
	}

}

package dev.tandem.consistency;

import java.time.Duration;

import dev.tandem.wal.Lsn;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link ReadAfter} that need no database: the token of the current work's
 * latest commit, and blocks that read after a token, checked as a client's token is.
 */
class ReadAfterTests {

	private static final String SECRET = "a-secret-of-at-least-32-characters!";

	/** The primary is known to have reached 0/3E8 (1,000). */
	private final ReadConsistency consistency = new ReadConsistency(ConsistencyMode.LSN, () -> null,
			new MemoryMarkerStore(), Duration.ofSeconds(10), Duration.ofMillis(100), () -> new Lsn(1_000));

	@AfterEach
	void clear() {
		ReadAfter.setSigner(null);
		ConsistencyContext.clear();
	}

	@Test
	void noCommitNoToken() {
		assertThat(ReadAfter.current()).isNull();
	}

	@Test
	void aCommitOutsideARequestIsTheThreadsToken() {
		commitAt(new Lsn(0x5000));
		assertThat(ReadAfter.current()).isEqualTo("0/5000");
		commitAt(new Lsn(0x6000));
		assertThat(ReadAfter.current()).isEqualTo("0/6000");
	}

	@Test
	void inARequestTheTokenIsTheRequests() {
		CausalTokens request = new CausalTokens(null, (lsn) -> {
		});
		CausalTokens.bind(request);
		commitAt(new Lsn(0x7000));
		assertThat(ReadAfter.current()).isEqualTo("0/7000");
		CausalTokens.bind(null);
		assertThat(ReadAfter.current()).isNull();
	}

	@Test
	void withASecretTheTokenIsSignedAndReadBack() {
		CausalTokens.Signer signer = CausalTokens.Signer.of(SECRET);
		ReadAfter.setSigner(signer);
		commitAt(new Lsn(500));
		String token = ReadAfter.current();
		assertThat(token).isEqualTo(signer.sign(new Lsn(500)));
		ReadAfter.runWith(token, () -> {
			ReadRequirement requirement = this.consistency.requirement();
			assertThat(requirement.lsn()).isEqualTo(new Lsn(500));
			assertThat(requirement.waits()).isTrue();
		});
	}

	@Test
	void aBlockRequiresItsTokenAndATokenBeyondTheKnownPrimaryPositionIsNotWaitedOn() {
		ReadAfter.runWith("0/3E8", () -> assertThat(this.consistency.requirement().waits()).isTrue());
		ReadAfter.runWith("\"0/3E9\"", () -> {
			ReadRequirement requirement = this.consistency.requirement();
			assertThat(requirement.lsn()).isEqualTo(new Lsn(1_001));
			assertThat(requirement.waits()).isFalse();
		});
		assertThat(this.consistency.requirement()).isNull();
	}

	@Test
	void withoutATokenTheBlockHasNoRequirementOfItsOwn() {
		ReadAfter.runWith(null, () -> assertThat(this.consistency.requirement()).isNull());
	}

	@Test
	void aBlockInsideARequestKeepsTheRequestsTokenAndGivesItItsCommits() throws Exception {
		Lsn[] sent = new Lsn[1];
		CausalTokens request = new CausalTokens(new Lsn(900), (lsn) -> sent[0] = lsn);
		CausalTokens.bind(request);
		ReadRequirement inside = ReadAfter.callWith("0/10", () -> {
			commitAt(new Lsn(950));
			return this.consistency.requirement();
		});
		assertThat(inside.lsn()).isEqualTo(new Lsn(950));
		assertThat(sent[0]).isEqualTo(new Lsn(950));
		assertThat(CausalTokens.current()).isSameAs(request);
	}

	@Test
	void aCommitInsideABlockIsTheThreadsTokenAfterIt() {
		ReadAfter.runWith("0/10", () -> commitAt(new Lsn(0x8000)));
		assertThat(CausalTokens.current()).isNull();
		assertThat(ReadAfter.current()).isEqualTo("0/8000");
	}

	@Test
	void aMalformedTokenIsRefusedWithWhatATokenIs() {
		for (String token : new String[] { "", "0/", "abc", "1/2/3", "123456789/0", "0/3E8.xyz" }) {
			assertThatIllegalArgumentException().isThrownBy(() -> ReadAfter.runWith(token, () -> {
			})).withMessageContaining("X/Y in hex");
		}
		assertThat(CausalTokens.current()).isNull();
	}

	@Test
	void withASecretAnUnsignedOrAlteredTokenIsRefusedAndTheSecretIsNeverShown() {
		CausalTokens.Signer signer = CausalTokens.Signer.of(SECRET);
		ReadAfter.setSigner(signer);
		String signed = signer.sign(new Lsn(500));
		assertThatIllegalArgumentException().isThrownBy(() -> ReadAfter.runWith("0/1F4", () -> {
		})).withMessageContaining("not signed").withMessageNotContaining(SECRET);
		String altered = "0/1F5" + signed.substring(signed.indexOf('.'));
		assertThatIllegalArgumentException().isThrownBy(() -> ReadAfter.runWith(altered, () -> {
		})).withMessageContaining("signature does not match").withMessageNotContaining(SECRET);
		assertThatIllegalArgumentException().isThrownBy(() -> ReadAfter.runWith("0/1F4.short", () -> {
		})).withMessageContaining("a dot and a signature");
	}

	@Test
	void aTokenAfterTheRequestEndedNoLongerReachesTheResponseButStillCounts() {
		Lsn[] sent = new Lsn[1];
		CausalTokens request = new CausalTokens(null, (lsn) -> sent[0] = lsn);
		request.committed(new Lsn(100));
		request.close();
		request.committed(new Lsn(200));
		assertThat(sent[0]).isEqualTo(new Lsn(100));
		assertThat(request.ownCommit()).isEqualTo(new Lsn(200));
	}

	/** A write transaction of the current work that commits at {@code lsn}. */
	private void commitAt(Lsn lsn) {
		TransactionSynchronizationManager.initSynchronization();
		try {
			this.consistency.writing(ReadConsistencyTests.connectionAt(lsn));
			for (TransactionSynchronization synchronization : TransactionSynchronizationManager.getSynchronizations()) {
				synchronization.afterCommit();
				synchronization.afterCompletion(TransactionSynchronization.STATUS_COMMITTED);
			}
		}
		finally {
			TransactionSynchronizationManager.clearSynchronization();
		}
	}

}

package dev.tandem.consistency;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link ConsistencyKey} and the code-set part of
 * {@link DefaultConsistencyKeyResolver}.
 */
class ConsistencyKeyTests {

	private final DefaultConsistencyKeyResolver resolver = new DefaultConsistencyKeyResolver("X-User");

	@Test
	void aKeySetForABlockIsTheKeyInsideItOnly() throws Exception {
		assertThat(this.resolver.resolve()).isNull();
		String inside = ConsistencyKey.callWith("job-7", this.resolver::resolve);
		assertThat(inside).isEqualTo("job-7");
		assertThat(this.resolver.resolve()).isNull();
	}

	@Test
	void nestedBlocksRestoreTheOuterKey() {
		ConsistencyKey.runWith("outer", () -> {
			ConsistencyKey.runWith("inner", () -> assertThat(ConsistencyKey.current()).isEqualTo("inner"));
			assertThat(ConsistencyKey.current()).isEqualTo("outer");
		});
		assertThat(ConsistencyKey.current()).isNull();
	}

	@Test
	void theKeyIsRestoredWhenTheWorkFails() {
		try {
			ConsistencyKey.runWith("failing", () -> {
				throw new IllegalStateException("boom");
			});
		}
		catch (IllegalStateException ex) {
			assertThat(ex).hasMessage("boom");
		}
		assertThat(ConsistencyKey.current()).isNull();
	}

	@Test
	void aBlankKeyIsRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> ConsistencyKey.runWith(" ", () -> {
		})).withMessageContaining("must not be null or blank");
	}

}

package dev.tandem.wal;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link Lsn}.
 */
class LsnTests {

	@ParameterizedTest
	@CsvSource({ "0/0, 0", "0/1, 1", "16/B374D848, 97500059720", "FFFFFFFF/FFFFFFFF, -1" })
	void parsesAndPrints(String text, long value) {
		Lsn lsn = Lsn.parse(text);
		assertThat(lsn.value()).isEqualTo(value);
		assertThat(lsn).hasToString(text);
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "/", "0/", "/0", "12", "G/0", "0/G", "1/2/3", "123456789/0", "0/123456789", "-1/0" })
	void rejectsWhatIsNotAnLsn(String text) {
		assertThatIllegalArgumentException().isThrownBy(() -> Lsn.parse(text)).withMessageContaining("is not an LSN");
	}

	@ParameterizedTest
	@CsvSource({ "0/1, 0/2", "0/FFFFFFFF, 1/0", "7FFFFFFF/0, 80000000/0" })
	void ordersAsUnsigned(String lower, String higher) {
		assertThat(Lsn.parse(lower)).isLessThan(Lsn.parse(higher));
	}

}

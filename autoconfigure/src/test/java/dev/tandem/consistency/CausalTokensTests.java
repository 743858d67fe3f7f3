package dev.tandem.consistency;

import dev.tandem.topology.Lsn;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Strict parsing of causal tokens.
 */
class CausalTokensTests {

	@ParameterizedTest(name = "[{0}] -> {1}")
	@CsvSource(delimiter = '|', nullValues = "null",
			value = { "0/3000060|0/3000060", "16/B374D848|16/B374D848", "ffffffff/ffffffff|FFFFFFFF/FFFFFFFF",
					"'\"0/3000060\"'|0/3000060", "' 0/10 '|0/10", "0/|null", "/10|null", "0/3000060/1|null",
					"123456789/0|null", "0/123456789|null", "0x1/0|null", "-1/0|null", "0 /10|null", "G/0|null",
					"'\"0/10'|null", "''|null", "null|null", "0/10; DROP TABLE x|null" })
	void parsesOnlyWellFormedPositions(@Nullable String token, @Nullable String expected) {
		Lsn parsed = CausalTokens.parse(token);
		assertThat((parsed != null) ? parsed.toString() : null).isEqualTo(expected);
	}

}

package dev.tandem.consistency;

import dev.tandem.wal.Lsn;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Strict parsing of causal tokens, and their signatures.
 */
class CausalTokensTests {

	private static final CausalTokens.Signer signer = CausalTokens.Signer.of("0123456789abcdef-secret");

	private static final String SIGNED = signer.sign(Lsn.parse("0/3000060"));

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

	@Test
	void aSignedTokenIsThePositionADotAndTwentyTwoBase64UrlCharacters() {
		assertThat(SIGNED).matches("0/3000060\\.[A-Za-z0-9_-]{22}");
		assertThat(signer.sign(Lsn.parse("0/3000060"))).as("deterministic").isEqualTo(SIGNED);
		assertThat(signer.sign(Lsn.parse("0/3000061"))).doesNotEndWith(SIGNED.substring(SIGNED.indexOf('.')));
	}

	@Test
	void aTokenSignedWithAnotherSecretIsRefused() {
		CausalTokens.Signer other = CausalTokens.Signer.of("another-secret-of-16");
		assertThat(other.verify(SIGNED)).isNull();
		assertThat(signer.verify(other.sign(Lsn.parse("0/3000060")))).isNull();
	}

	@Test
	void aSignatureMovedToAnotherPositionIsRefused() {
		String signature = SIGNED.substring(SIGNED.indexOf('.'));
		assertThat(signer.verify("0/3000061" + signature)).isNull();
		assertThat(signer.verify("FFFFFFFF/FFFFFFFF" + signature)).isNull();
	}

	@Test
	void aSignedTokenHasOneSpelling() {
		String signed = signer.sign(Lsn.parse("16/B374D848"));
		assertThat(signer.verify(signed)).isEqualTo(Lsn.parse("16/B374D848"));
		assertThat(signer.verify(signed.replace("16/B374D848", "16/b374d848"))).isNull();
	}

	@Test
	void aSignerDoesNotShowItsSecret() {
		assertThat(signer.toString()).doesNotContain("secret-");
	}

	@ParameterizedTest(name = "[{0}] -> {1}")
	@CsvSource(delimiter = '|', nullValues = "null",
			value = { "SIGNED|0/3000060", "'\"SIGNED\"'|0/3000060", "' SIGNED '|0/3000060", "0/3000060|null",
					"0/3000060.|null", "SIGNEDA|null", "SIGNED.|null", "ALTERED_LAST|null", "ALTERED_FIRST|null",
					"0/03000060.SIG|null", "0/3000060..SIG|null", "0/3000060.SIG=|null", "0/3000060 .SIG|null",
					"''|null", "null|null", "x.SIG|null" })
	void verifiesOnlyWellFormedTokensWithTheirOwnSignature(@Nullable String token, @Nullable String expected) {
		String signature = SIGNED.substring(SIGNED.indexOf('.') + 1);
		String text = (token != null) ? token.replace("SIGNED", SIGNED)
			.replace("ALTERED_LAST",
					SIGNED.substring(0, SIGNED.length() - 1) + flip(SIGNED.charAt(SIGNED.length() - 1)))
			.replace("ALTERED_FIRST", "0/3000060." + flip(signature.charAt(0)) + signature.substring(1))
			.replace("SIG", signature) : null;
		Lsn verified = signer.verify(text);
		assertThat((verified != null) ? verified.toString() : null).isEqualTo(expected);
	}

	private static char flip(char c) {
		return (c == 'A') ? 'B' : 'A';
	}

}

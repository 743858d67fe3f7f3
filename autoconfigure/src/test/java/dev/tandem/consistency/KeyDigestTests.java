package dev.tandem.consistency;

import java.util.Locale;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How a {@link KeyDigest} is made and read back from a store key.
 */
class KeyDigestTests {

	@Test
	void theDigestIsTheSha256OfTheKey() {
		// echo -n user-42 | sha256sum
		assertThat(KeyDigest.of("user-42").hex())
			.isEqualTo("6d894aa3ee802549d7f340e7c1cf0d1c1cb14cd84f768d92ffaa6785337c4997");
		assertThat(KeyDigest.of("user-42")).isEqualTo(KeyDigest.of("user-42")).isNotEqualTo(KeyDigest.of("user-43"));
	}

	@Test
	void aDigestIsReadBackFromTheHexAfterAPrefix() {
		KeyDigest digest = KeyDigest.of("user-42");
		String storeKey = "tandem:rw:" + digest.hex();
		assertThat(KeyDigest.fromHex(storeKey, "tandem:rw:".length())).isEqualTo(digest);
		assertThat(KeyDigest.fromHex(storeKey.toUpperCase(Locale.ROOT), "tandem:rw:".length())).isEqualTo(digest);
		assertThat(KeyDigest.fromHex(digest.hex(), 0)).hasSameHashCodeAs(digest);
	}

	@Test
	void textThatIsNotSixtyFourHexDigitsIsNoDigest() {
		String hex = KeyDigest.of("user-42").hex();
		assertThat(KeyDigest.fromHex(hex.substring(1), 0)).isNull();
		assertThat(KeyDigest.fromHex(hex + "0", 0)).isNull();
		assertThat(KeyDigest.fromHex(hex.substring(0, 63) + "g", 0)).isNull();
		assertThat(KeyDigest.fromHex(hex, 65)).isNull();
		assertThat(KeyDigest.fromHex(hex, -1)).isNull();
	}

}

package dev.tandem.url;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link HostAndPort}.
 */
class HostAndPortTests {

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			h1          | 5432 | h1:5432
			10.0.0.1    | 1    | 10.0.0.1:1
			::1         | 5433 | [::1]:5433
			2001:db8::2 | 6543 | [2001:db8::2]:6543
			""")
	void toStringBracketsIpv6(String host, int port, String expected) {
		assertThat(new HostAndPort(host, port)).hasToString(expected);
	}

	@Test
	void createWhenPortOutOfRangeThrows() {
		assertThatIllegalArgumentException().isThrownBy(() -> new HostAndPort("h1", 65536))
			.withMessageContaining("out of range");
	}

	@Test
	void createWhenHostHasBracketsThrows() {
		assertThatIllegalArgumentException().isThrownBy(() -> new HostAndPort("[::1]", 5432))
			.withMessageContaining("without brackets");
	}

}

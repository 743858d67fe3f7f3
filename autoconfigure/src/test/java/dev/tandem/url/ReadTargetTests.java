package dev.tandem.url;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link ReadTarget}.
 */
class ReadTargetTests {

	@ParameterizedTest
	@CsvSource(textBlock = """
			prefer-standby, PREFER_STANDBY
			standby,        STANDBY
			any,            ANY
			primary,        PRIMARY
			prefer-primary, PREFER_PRIMARY
			Prefer-Standby, PREFER_STANDBY
			""")
	void fromValueReadsPropertySpelling(String value, ReadTarget expected) {
		assertThat(ReadTarget.fromValue(value)).isEqualTo(expected);
	}

	@ParameterizedTest
	@EnumSource
	void valueRoundTrips(ReadTarget target) {
		assertThat(ReadTarget.fromValue(target.value())).isSameAs(target);
	}

	@Test
	void valueIsKebabCase() {
		assertThat(ReadTarget.values()).extracting(ReadTarget::value)
			.containsExactly("prefer-standby", "standby", "any", "primary", "prefer-primary");
	}

	@Test
	void fromValueWhenUnknownListsValidValues() {
		assertThatIllegalArgumentException().isThrownBy(() -> ReadTarget.fromValue("replica"))
			.withMessage("Unknown read target 'replica'; valid values are "
					+ "prefer-standby, standby, any, primary, prefer-primary");
	}

	@ParameterizedTest
	@CsvSource(textBlock = """
			prefer-standby, PREFER_STANDBY
			standby,        STANDBY
			read-only,      STANDBY
			any,            ANY
			primary,        PRIMARY
			read-write,     PRIMARY
			prefer-primary, PREFER_PRIMARY
			READ-ONLY,      STANDBY
			""")
	void fromTargetSessionAttrsMapsLibpqValues(String attrs, ReadTarget expected) {
		assertThat(ReadTarget.fromTargetSessionAttrs(attrs)).isEqualTo(expected);
	}

	@Test
	void fromTargetSessionAttrsWhenUnknownListsValidValues() {
		assertThatIllegalArgumentException().isThrownBy(() -> ReadTarget.fromTargetSessionAttrs("secondary"))
			.withMessage("Unknown target_session_attrs 'secondary'; valid values are "
					+ "any, read-write, read-only, primary, standby, prefer-standby, prefer-primary");
	}

	@ParameterizedTest
	@CsvSource(textBlock = """
			any,             ANY
			primary,         PRIMARY
			master,          PRIMARY
			secondary,       STANDBY
			slave,           STANDBY
			preferSecondary, PREFER_STANDBY
			preferSlave,     PREFER_STANDBY
			preferPrimary,   PREFER_PRIMARY
			""")
	void fromTargetServerTypeMapsPgjdbcValues(String type, ReadTarget expected) {
		assertThat(ReadTarget.fromTargetServerType(type)).isEqualTo(expected);
	}

	@Test
	void fromTargetServerTypeWhenUnknownListsValidValues() {
		assertThatIllegalArgumentException().isThrownBy(() -> ReadTarget.fromTargetServerType("standby"))
			.withMessage("Unknown targetServerType 'standby'; valid values are "
					+ "any, primary, master, secondary, slave, preferSecondary, preferSlave, preferPrimary");
	}

}

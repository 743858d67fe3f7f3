package dev.tandem.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;

import com.zaxxer.hikari.HikariConfig;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link HikariSettings}.
 */
class HikariSettingsTests {

	private final HikariConfig config = new HikariConfig();

	@Test
	void kebabCaseAndCamelCaseKeysBothBind() {
		HikariSettings.apply("tandem.writer.hikari",
				Map.of("maximum-pool-size", "7", "connectionTimeout", "4500", "pool-name", "custom"), this.config);
		assertThat(this.config.getMaximumPoolSize()).isEqualTo(7);
		assertThat(this.config.getConnectionTimeout()).isEqualTo(4500);
		assertThat(this.config.getPoolName()).isEqualTo("custom");
	}

	@Test
	void noSettingsLeaveTheConfigurationAlone() {
		HikariConfig untouched = new HikariConfig();
		this.config.setMaximumPoolSize(3);
		HikariSettings.apply("tandem.reader.hikari", Map.of(), this.config);
		assertThat(this.config.getMaximumPoolSize()).isEqualTo(3);
		assertThat(this.config.getConnectionTimeout()).isEqualTo(untouched.getConnectionTimeout());
	}

	@Test
	void dataSourcePropertiesBindAsAMap() {
		Map<String, String> settings = new LinkedHashMap<>();
		settings.put("data-source-properties.prepareThreshold", "0");
		HikariSettings.apply("tandem.writer.hikari", settings, this.config);
		assertThat(this.config.getDataSourceProperties()).containsEntry("prepareThreshold", "0");
	}

	@Test
	void aMisspeltKeyFailsNamingItAndThePrefix() {
		assertThatIllegalStateException()
			.isThrownBy(
					() -> HikariSettings.apply("tandem.reader.hikari", Map.of("maximum-pol-size", "3"), this.config))
			.withMessageStartingWith("Invalid HikariCP settings under tandem.reader.hikari")
			.withMessageContaining("tandem.reader.hikari.maximum-pol-size");
	}

	@Test
	void aValueOfTheWrongTypeFailsNamingTheKey() {
		assertThatIllegalStateException().isThrownBy(
				() -> HikariSettings.apply("tandem.writer.hikari", Map.of("maximum-pool-size", "many"), this.config))
			.withMessageStartingWith("Invalid HikariCP settings under tandem.writer.hikari")
			.withMessageContaining("many");
	}

}

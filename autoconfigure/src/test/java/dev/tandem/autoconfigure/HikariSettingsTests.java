package dev.tandem.autoconfigure;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariCredentialsProvider;
import com.zaxxer.hikari.util.Credentials;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.util.ReflectionUtils;
import org.springframework.util.StringUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * Tests for {@link HikariSettings}.
 */
class HikariSettingsTests {

	private final HikariConfig config = new HikariConfig();

	@Test
	void kebabCaseAndCamelCaseKeysBothBind() {
		apply(HikariSettings.WRITER, Map.of("maximum-pool-size", "7", "connectionTimeout", "4500", "pool-name",
				"custom", "idle-timeout", "2m"));
		assertThat(this.config.getMaximumPoolSize()).isEqualTo(7);
		assertThat(this.config.getConnectionTimeout()).isEqualTo(4500);
		assertThat(this.config.getPoolName()).isEqualTo("custom");
		assertThat(this.config.getIdleTimeout()).isEqualTo(120_000);
	}

	@Test
	void noSettingsLeaveTheConfigurationAlone() {
		HikariConfig untouched = new HikariConfig();
		this.config.setMaximumPoolSize(3);
		apply(HikariSettings.READER, Map.of());
		assertThat(this.config.getMaximumPoolSize()).isEqualTo(3);
		assertThat(this.config.getConnectionTimeout()).isEqualTo(untouched.getConnectionTimeout());
	}

	@Test
	void dataSourcePropertiesBindAsAMap() {
		apply(HikariSettings.WRITER, Map.of("data-source-properties.prepareThreshold", "0"));
		assertThat(this.config.getDataSourceProperties()).containsEntry("prepareThreshold", "0");
	}

	@Test
	void everySettingReachesHikariConfig() throws Exception {
		TandemProperties.Hikari settings = new TandemProperties.Hikari();
		Map<String, Object> expected = new LinkedHashMap<>();
		long millis = 3000;
		int count = 5;
		for (Field field : TandemProperties.Hikari.class.getDeclaredFields()) {
			Object value = switch (field.getType().getSimpleName()) {
				case "Integer" -> count++;
				case "Duration" -> Duration.ofMillis(millis += 1000);
				case "Boolean" -> !(Boolean) invoke(new HikariConfig(), getter(field.getName(), true));
				case "String" -> switch (field.getName()) {
					case "transactionIsolation" -> "TRANSACTION_SERIALIZABLE";
					case "credentialsProviderClassName" -> StaticCredentials.class.getName();
					default -> field.getName() + "-value";
				};
				case "Map" -> Map.of(field.getName() + "-key", "v");
				default -> throw new AssertionError("no sample value for " + field);
			};
			ReflectionUtils.makeAccessible(field);
			field.set(settings, value);
			expected.put(field.getName(), value);
		}
		HikariSettings.apply(settings, this.config);
		expected.forEach((name, value) -> {
			Object actual = invoke(this.config, getter(name, value instanceof Boolean));
			if (name.equals("credentialsProviderClassName")) {
				assertThat(this.config.getCredentialsProvider()).as(name).isInstanceOf(StaticCredentials.class);
			}
			else if (value instanceof Duration duration) {
				assertThat(actual).as(name).isEqualTo(duration.toMillis());
			}
			else if (value instanceof Map<?, ?> map) {
				map.forEach((key, entry) -> assertThat(((Map<?, ?>) actual).get(key)).as(name).isEqualTo(entry));
			}
			else {
				assertThat(actual).as(name).isEqualTo(value);
			}
		});
	}

	@Test
	void aMisspeltKeyFailsNamingIt() {
		assertThatIllegalStateException().isThrownBy(() -> check(HikariSettings.READER, "maximum-pol-size", "3"))
			.withMessageStartingWith("Invalid HikariCP setting tandem.reader.hikari.maximum-pol-size (value '3')")
			.withMessageContaining("no such setting under tandem.reader.hikari");
	}

	@Test
	void aValueOfTheWrongTypeFailsNamingTheKey() {
		assertThatIllegalStateException().isThrownBy(() -> check(HikariSettings.WRITER, "maximum-pool-size", "many"))
			.withMessageStartingWith("Invalid HikariCP settings under tandem.writer.hikari")
			.withMessageContaining("many");
	}

	@ParameterizedTest
	@ValueSource(strings = { "jdbc-url", "jdbcUrl", "driver-class-name", "data-source-jndi", "dataSourceJNDI",
			"read-only", "exception-override-class-name", "metric-registry" })
	void aSettingTandemOwnsFailsSayingWhy(String key) {
		assertThatIllegalStateException().isThrownBy(() -> check(HikariSettings.WRITER, key, "x"))
			.withMessageStartingWith("Invalid HikariCP setting tandem.writer.hikari.")
			.withMessageNotContaining("no such setting")
			.withMessageMatching(".*(Tandem|TandemPoolCustomizer).*");
	}

	@Test
	void aPoolNameIsForTheWriterOnly() {
		assertThatNoException().isThrownBy(() -> check(HikariSettings.WRITER, "pool-name", "main"));
		assertThatIllegalStateException().isThrownBy(() -> check(HikariSettings.READER, "poolName", "main"))
			.withMessageStartingWith("Invalid HikariCP setting tandem.reader.hikari.pool-name: each reader pool");
	}

	private void apply(String prefix, Map<String, String> settings) {
		Binder binder = binder(prefix, settings);
		HikariSettings.check(binder, prefix);
		TandemProperties.Hikari bound = binder.bind(prefix, Bindable.of(TandemProperties.Hikari.class))
			.orElseGet(TandemProperties.Hikari::new);
		HikariSettings.apply(bound, this.config);
	}

	private static void check(String prefix, String key, String value) {
		HikariSettings.check(binder(prefix, Map.of(key, value)), prefix);
	}

	private static Binder binder(String prefix, Map<String, String> settings) {
		MapConfigurationPropertySource source = new MapConfigurationPropertySource();
		settings.forEach((key, value) -> source.put(prefix + "." + key, value));
		return new Binder(source);
	}

	private static Method getter(String name, boolean bool) {
		String suffix = StringUtils.capitalize(name);
		Method getter = ReflectionUtils.findMethod(HikariConfig.class, (bool ? "is" : "get") + suffix);
		assertThat(getter).as("HikariConfig getter of %s", name).isNotNull();
		return getter;
	}

	private static Object invoke(Object target, Method method) {
		return ReflectionUtils.invokeMethod(method, target);
	}

	/** A credentials provider for the test. */
	public static class StaticCredentials implements HikariCredentialsProvider {

		@Override
		public Credentials getCredentials() {
			return Credentials.of("u", "p");
		}

	}

}

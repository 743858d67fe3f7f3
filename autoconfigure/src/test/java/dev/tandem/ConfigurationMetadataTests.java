package dev.tandem;

import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import com.zaxxer.hikari.HikariConfig;
import dev.tandem.pool.PoolFailureListener;
import dev.tandem.pool.TandemPools;
import dev.tandem.url.ClusterSpec;
import dev.tandem.url.ClusterUrlParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.configurationmetadata.ConfigurationMetadataProperty;
import org.springframework.boot.configurationmetadata.ConfigurationMetadataRepository;
import org.springframework.boot.configurationmetadata.ConfigurationMetadataRepositoryJsonBuilder;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.io.ClassPathResource;
import org.springframework.util.ReflectionUtils;
import org.springframework.util.StringUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code tandem.*} property in the generated configuration metadata has a
 * description, because that description is what IDEs show users; every HikariCP setting
 * is listed under both pool prefixes, with the defaults the pools really get.
 */
class ConfigurationMetadataTests {

	private static Map<String, ConfigurationMetadataProperty> metadata;

	@BeforeAll
	static void readMetadata() throws Exception {
		try (InputStream json = new ClassPathResource("META-INF/spring-configuration-metadata.json").getInputStream()) {
			ConfigurationMetadataRepository repository = ConfigurationMetadataRepositoryJsonBuilder.create(json)
				.build();
			metadata = repository.getAllProperties();
		}
	}

	@Test
	void everyTandemPropertyHasADescription() {
		List<ConfigurationMetadataProperty> properties = metadata.values()
			.stream()
			.filter((property) -> property.getId().startsWith("tandem."))
			.toList();
		assertThat(properties).extracting(ConfigurationMetadataProperty::getId)
			.contains("tandem.enabled", "tandem.url", "tandem.username", "tandem.password", "tandem.writer.url",
					"tandem.writer.hikari.maximum-pool-size", "tandem.reader.url",
					"tandem.reader.hikari.maximum-pool-size", "tandem.reads.target", "tandem.reads.balance",
					"tandem.topology.check-interval");
		assertThat(properties)
			.allSatisfy((property) -> assertThat(property.getDescription()).as("description of %s", property.getId())
				.isNotBlank());
	}

	@ParameterizedTest
	@ValueSource(strings = { "tandem.writer.hikari", "tandem.reader.hikari" })
	void everyHikariSettingIsListedWithATypeAndADescription(String prefix) {
		List<String> settings = hikariSettings();
		assertThat(settings).hasSizeGreaterThan(35).contains("maximum-pool-size", "data-source-j-n-d-i");
		assertThat(settings).allSatisfy((setting) -> {
			ConfigurationMetadataProperty property = metadata.get(prefix + "." + setting);
			assertThat(property).as("metadata of %s.%s", prefix, setting).isNotNull();
			assertThat(property.getType()).as("type of %s", property.getId()).isNotBlank();
			assertThat(property.getDescription()).as("description of %s", property.getId()).isNotBlank();
		});
	}

	@Test
	void hikariDefaultsInTheMetadataAreThoseOfThePools() {
		ClusterSpec spec = ClusterUrlParser.parse("tandem.url", "postgresql://u@127.0.0.1:1,127.0.0.1:2/db");
		AtomicReference<HikariConfig> writer = new AtomicReference<>();
		AtomicReference<HikariConfig> reader = new AtomicReference<>();
		try (TandemPools pools = new TandemPools(spec, spec, writer::set, reader::set, PoolFailureListener.NONE)) {
			pools.reader(spec.hosts().get(1));
		}
		assertDefaults("tandem.writer.hikari", writer.get());
		assertDefaults("tandem.reader.hikari", reader.get());
		assertThat(metadata.get("tandem.writer.hikari.connection-timeout").getDefaultValue()).isEqualTo("3s");
		assertThat(metadata.get("tandem.reader.hikari.connection-timeout").getDefaultValue()).isEqualTo("2s");
	}

	private static void assertDefaults(String prefix, HikariConfig config) {
		List<ConfigurationMetadataProperty> withDefaults = metadata.values()
			.stream()
			.filter((property) -> property.getId().startsWith(prefix + ".") && property.getDefaultValue() != null)
			.toList();
		assertThat(withDefaults).hasSizeGreaterThanOrEqualTo(12);
		assertThat(withDefaults).allSatisfy((property) -> {
			String camel = camelCase(property.getId().substring(prefix.length() + 1));
			Method getter = ReflectionUtils.findMethod(HikariConfig.class,
					(property.getDefaultValue() instanceof Boolean ? "is" : "get") + StringUtils.capitalize(camel));
			assertThat(getter).as("getter of %s", property.getId()).isNotNull();
			Object actual = ReflectionUtils.invokeMethod(getter, config);
			Object expected = property.getDefaultValue();
			if (property.getType().equals("java.time.Duration")) {
				expected = DurationStyle.detectAndParse(expected.toString(), ChronoUnit.MILLIS).toMillis();
			}
			else if (expected instanceof Number number) {
				expected = number.intValue();
			}
			assertThat(actual).as("default of %s", property.getId()).isEqualTo(expected);
		});
	}

	/**
	 * The settings of HikariConfig, as Spring Boot names them: one per setter.
	 * @return the kebab-case names
	 */
	private static List<String> hikariSettings() {
		return Arrays.stream(HikariConfig.class.getMethods())
			.filter((method) -> method.getDeclaringClass() == HikariConfig.class
					&& !Modifier.isStatic(method.getModifiers()) && method.getName().startsWith("set")
					&& method.getParameterCount() == 1)
			.map((method) -> kebabCase(method.getName().substring(3)))
			.distinct()
			.sorted()
			.toList();
	}

	private static String kebabCase(String name) {
		StringBuilder kebab = new StringBuilder();
		for (char c : name.toCharArray()) {
			if (Character.isUpperCase(c) && !kebab.isEmpty()) {
				kebab.append('-');
			}
			kebab.append(Character.toLowerCase(c));
		}
		return kebab.toString();
	}

	private static String camelCase(String kebab) {
		StringBuilder camel = new StringBuilder();
		boolean upper = false;
		for (char c : kebab.toCharArray()) {
			if (c == '-') {
				upper = true;
			}
			else {
				camel.append(upper ? Character.toUpperCase(c) : c);
				upper = false;
			}
		}
		return camel.toString();
	}

}

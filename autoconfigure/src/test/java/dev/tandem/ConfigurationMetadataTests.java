package dev.tandem;

import java.io.InputStream;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.boot.configurationmetadata.ConfigurationMetadataProperty;
import org.springframework.boot.configurationmetadata.ConfigurationMetadataRepository;
import org.springframework.boot.configurationmetadata.ConfigurationMetadataRepositoryJsonBuilder;
import org.springframework.core.io.ClassPathResource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code tandem.*} property in the generated configuration metadata has a
 * description, because that description is what IDEs show users.
 */
class ConfigurationMetadataTests {

	@Test
	void everyTandemPropertyHasADescription() throws Exception {
		ConfigurationMetadataRepository repository;
		try (InputStream json = new ClassPathResource("META-INF/spring-configuration-metadata.json").getInputStream()) {
			repository = ConfigurationMetadataRepositoryJsonBuilder.create(json).build();
		}
		List<ConfigurationMetadataProperty> properties = repository.getAllProperties()
			.values()
			.stream()
			.filter((property) -> property.getId().startsWith("tandem."))
			.toList();
		assertThat(properties).extracting(ConfigurationMetadataProperty::getId)
			.contains("tandem.enabled", "tandem.url", "tandem.username", "tandem.password", "tandem.writer.url",
					"tandem.writer.hikari", "tandem.reader.url", "tandem.reader.hikari", "tandem.reads.target",
					"tandem.reads.balance", "tandem.topology.check-interval");
		assertThat(properties)
			.allSatisfy((property) -> assertThat(property.getDescription()).as("description of %s", property.getId())
				.isNotBlank());
	}

}

package dev.tandem.autoconfigure;

import org.junit.jupiter.api.Test;

import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How {@link ConsistencySettings#namespace} picks the namespace of markers.
 */
class ConsistencyNamespaceTests {

	private final TandemProperties properties = new TandemProperties();

	private final MockEnvironment environment = new MockEnvironment();

	@Test
	void theApplicationNameIsTheNamespaceByDefault() {
		this.environment.setProperty("spring.application.name", "shop");
		assertThat(ConsistencySettings.namespace(this.properties, this.environment)).isEqualTo("shop");
	}

	@Test
	void withoutAnApplicationNameThereIsNoNamespace() {
		assertThat(ConsistencySettings.namespace(this.properties, this.environment)).isEmpty();
	}

	@Test
	void theNamespacePropertyWinsOverTheApplicationName() {
		this.environment.setProperty("spring.application.name", "shop-api");
		this.properties.getConsistency().setNamespace("shop");
		assertThat(ConsistencySettings.namespace(this.properties, this.environment)).isEqualTo("shop");
	}

	@Test
	void anEmptyNamespacePropertyMeansNoneWhateverTheApplicationName() {
		this.environment.setProperty("spring.application.name", "shop");
		this.properties.getConsistency().setNamespace("");
		assertThat(ConsistencySettings.namespace(this.properties, this.environment)).isEmpty();
	}

}

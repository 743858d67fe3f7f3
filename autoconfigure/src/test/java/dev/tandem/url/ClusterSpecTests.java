package dev.tandem.url;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.entry;

/**
 * Tests for {@link ClusterSpec}.
 */
class ClusterSpecTests {

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', quoteCharacter = '"',
			textBlock = """
					# url                                                                  | masked url
					postgresql://app:s3cr3t!@pg1,pg2/shop                                  | postgresql://app:****@pg1,pg2/shop
					postgresql://app:s3cr3t%21@pg1/shop?sslmode=require                    | postgresql://app:****@pg1/shop?sslmode=require
					postgresql://app:s3c@r3t!@pg1/shop                                     | postgresql://app:****@pg1/shop
					postgresql://app:s3cr3t!/x@pg1/shop                                    | postgresql://app:****@pg1/shop
					postgresql://app@pg1/shop?password=s3cr3t!&sslpassword=s3cr3t!         | postgresql://app@pg1/shop?password=****&sslpassword=****
					jdbc:postgresql://h1/shop?user=app&password=s3cr3t!&ssl=true           | jdbc:postgresql://h1/shop?user=app&password=****&ssl=true
					jdbc:postgresql:shop?Password=s3cr3t!                                  | jdbc:postgresql:shop?Password=****
					postgresql://pg1/shop                                                  | postgresql://pg1/shop
					postgresql://pg1/shop?oauth_client_secret=s3cr3t!&scram_client_key=s3cr3t!&scram_server_key=s3cr3t!&sslkey=/k.pk8 | postgresql://pg1/shop?oauth_client_secret=****&scram_client_key=****&scram_server_key=****&sslkey=/k.pk8
					jdbc:postgresql://h1/shop?apiKey=s3cr3t!&ssl=true&clientSecret=s3cr3t!&sslkey=/k.pk8&sslpassword=s3cr3t! | jdbc:postgresql://h1/shop?apiKey=****&ssl=true&clientSecret=****&sslkey=/k.pk8&sslpassword=****
					postgresql://pg1/shop?pass%77ord=s3cr3t!&sslmode=require&SSLPASSWORD=s3cr3t! | postgresql://pg1/shop?pass%77ord=****&sslmode=require&SSLPASSWORD=****
					""")
	void maskedUrlAndToStringNeverShowPassword(String url, String maskedUrl) {
		ClusterSpec spec = ClusterUrlParser.parse("tandem.url", url);
		assertThat(spec.maskedUrl()).isEqualTo(maskedUrl);
		assertThat(spec.toString()).doesNotContain("s3cr3t").doesNotContain("s3c@r3t").contains(maskedUrl);
	}

	@Test
	void toStringShowsTheFacts() {
		ClusterSpec spec = ClusterUrlParser.parse("tandem.url",
				"postgresql://app:s3cr3t!@pg1,[::1]:5433/shop?target_session_attrs=read-only&sslmode=require");
		assertThat(spec).hasToString("ClusterSpec[property=tandem.url, hosts=[pg1:5432, [::1]:5433], database=shop, "
				+ "username=app, password=****, readTarget=standby, driverProperties={sslmode=require}, "
				+ "url=postgresql://app:****@pg1,[::1]:5433/shop?target_session_attrs=read-only&sslmode=require]");
	}

	@Test
	void toStringMasksSslPasswordProperty() {
		ClusterSpec spec = ClusterUrlParser.parse("tandem.url", "postgresql://pg1/shop?sslpassword=k3y");
		assertThat(spec.driverProperties()).containsEntry("sslpassword", "k3y");
		assertThat(spec.toString()).doesNotContain("k3y").contains("sslpassword=****");
	}

	// Issue 13, item 1: only password and sslpassword were masked.
	@Test
	void toStringMasksEverySecretProperty() {
		ClusterSpec spec = ClusterUrlParser.parse("tandem.url",
				"jdbc:postgresql://h1/shop?oauth_client_secret=s3cr3t!&ssl=true&scram_client_key=s3cr3t!&sslmode=require"
						+ "&privateKey=s3cr3t!&sslkey=/k.pk8&sslpasswordcallback=x.Y&sslpassword=s3cr3t!");
		assertThat(spec.toString()).doesNotContain("s3cr3t")
			.contains("sslpassword=****", "oauth_client_secret=****", "scram_client_key=****", "privateKey=****",
					"sslkey=/k.pk8");
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			password            | true
			sslpassword         | true
			SSLPassword         | true
			oauth_client_secret | true
			scram_client_key    | true
			scram_server_key    | true
			apiKey              | true
			password%           | true
			sslkey              | false
			sslKey              | false
			sslkeylogfile       | false
			sslcert             | false
			user                | false
			tcpKeepAlive        | false
			keepalives          | false
			""")
	void isSecretParameterTellsCredentialsFromOtherParameters(String name, boolean secret) {
		assertThat(ClusterSpec.isSecretParameter(name)).isEqualTo(secret);
	}

	@Test
	void withCredentialsOverridesNonNullArguments() {
		ClusterSpec spec = ClusterUrlParser.parse("tandem.url", "postgresql://app:old@pg1/shop");
		ClusterSpec both = spec.withCredentials("admin", "new");
		assertThat(both.username()).isEqualTo("admin");
		assertThat(both.password()).isEqualTo("new");
		assertThat(both.database()).isEqualTo("shop");
		ClusterSpec passwordOnly = spec.withCredentials(null, "new");
		assertThat(passwordOnly.username()).isEqualTo("app");
		assertThat(passwordOnly.password()).isEqualTo("new");
		ClusterSpec neither = spec.withCredentials(null, null);
		assertThat(neither).isEqualTo(spec);
		assertThat(both.maskedUrl()).isEqualTo(spec.maskedUrl());
	}

	@Test
	void withCredentialsMovesDatabaseDefaultToNewUser() {
		ClusterSpec spec = ClusterUrlParser.parse("tandem.url", "postgresql://app@pg1");
		assertThat(spec.database()).isEqualTo("app");
		assertThat(spec.withCredentials("admin", null).database()).isEqualTo("admin");
	}

	@Test
	void withCredentialsKeepsEverythingElse() {
		ClusterSpec spec = ClusterUrlParser.parse("tandem.reader.url",
				"postgresql://pg1,pg2/shop?target_session_attrs=any&sslmode=require&passfile=/p");
		ClusterSpec copy = spec.withCredentials("u", "p");
		assertThat(copy.hosts()).isEqualTo(spec.hosts());
		assertThat(copy.readTarget()).isEqualTo(ReadTarget.ANY);
		assertThat(copy.driverProperties()).isEqualTo(spec.driverProperties());
		assertThat(copy.warnings()).isEqualTo(spec.warnings());
		assertThat(copy.property()).isEqualTo("tandem.reader.url");
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
			# url                                                  | jdbc url of all hosts
			postgresql://app:s3cr3t!@h1,[::1]:5433/shop?sslmode=require | jdbc:postgresql://h1:5432,[::1]:5433/shop
			postgresql://app@pg1                                   | jdbc:postgresql://pg1:5432/app
			postgresql://pg1                                       | jdbc:postgresql://pg1:5432/
			postgresql://pg1/my%20db%2F%C3%A4                      | jdbc:postgresql://pg1:5432/my%20db%2F%C3%A4
			postgresql://pg1/a+b~c.d_e-f                           | jdbc:postgresql://pg1:5432/a%2Bb~c.d_e-f
			jdbc:postgresql:shop?user=app&password=s3cr3t!         | jdbc:postgresql://localhost:5432/shop
			""")
	void jdbcUrlHasHostsAndDatabaseOnly(String url, String jdbcUrl) {
		ClusterSpec spec = ClusterUrlParser.parse("tandem.url", url);
		assertThat(spec.jdbcUrl(spec.hosts())).isEqualTo(jdbcUrl);
	}

	@Test
	void jdbcUrlOfOneHost() {
		ClusterSpec spec = ClusterUrlParser.parse("tandem.url", "postgresql://h1,[::1]:5433/shop");
		assertThat(spec.jdbcUrl(List.of(spec.hosts().get(1)))).isEqualTo("jdbc:postgresql://[::1]:5433/shop");
	}

	@Test
	void jdbcUrlWhenNoHostsThrows() {
		ClusterSpec spec = ClusterUrlParser.parse("tandem.url", "postgresql://h1/shop");
		assertThatIllegalArgumentException().isThrownBy(() -> spec.jdbcUrl(List.of()));
	}

	@Test
	void driverPropertiesAreUnmodifiable() {
		ClusterSpec spec = ClusterUrlParser.parse("tandem.url", "postgresql://h1/shop?sslmode=require");
		assertThatExceptionOfType(UnsupportedOperationException.class)
			.isThrownBy(() -> spec.driverProperties().put("ssl", "true"));
	}

	@Test
	void connectionPropertiesHoldTheDriverPropertiesAndTheCredentials() {
		ClusterSpec spec = ClusterUrlParser.parse("tandem.url", "postgresql://app:s3cr3t@pg1/shop?sslmode=require");
		assertThat(spec.connectionProperties()).containsOnly(entry("sslmode", "require"), entry("user", "app"),
				entry("password", "s3cr3t"));
		assertThat(spec.connectionProperties()).isNotSameAs(spec.connectionProperties());
		assertThat(ClusterUrlParser.parse("tandem.url", "postgresql://pg1/shop").connectionProperties()).isEmpty();
	}

}

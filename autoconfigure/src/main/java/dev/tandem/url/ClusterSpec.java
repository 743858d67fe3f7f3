package dev.tandem.url;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

/**
 * A PostgreSQL cluster as one URL describes it: its hosts, database, credentials, pgjdbc
 * connection properties and read target. Immutable; created by
 * {@link ClusterUrlParser#parse(String, String)}.
 * <p>
 * The password is never part of {@link #toString()} or {@link #maskedUrl()}.
 */
public final class ClusterSpec {

	private static final String MASK = "****";

	private final String property;

	private final String maskedUrl;

	private final List<HostAndPort> hosts;

	private final @Nullable String urlDatabase;

	private final @Nullable String username;

	private final @Nullable String password;

	private final Map<String, String> driverProperties;

	private final @Nullable ReadTarget readTarget;

	private final List<String> warnings;

	ClusterSpec(String property, String maskedUrl, List<HostAndPort> hosts, @Nullable String urlDatabase,
			@Nullable String username, @Nullable String password, Map<String, String> driverProperties,
			@Nullable ReadTarget readTarget, List<String> warnings) {
		if (hosts.isEmpty()) {
			throw new IllegalArgumentException("Hosts must not be empty");
		}
		this.property = property;
		this.maskedUrl = maskedUrl;
		this.hosts = List.copyOf(hosts);
		this.urlDatabase = urlDatabase;
		this.username = username;
		this.password = password;
		this.driverProperties = Collections.unmodifiableMap(new LinkedHashMap<>(driverProperties));
		this.readTarget = readTarget;
		this.warnings = List.copyOf(warnings);
	}

	/**
	 * Returns the hosts in URL order; never empty.
	 * @return the hosts
	 */
	public List<HostAndPort> hosts() {
		return this.hosts;
	}

	/**
	 * Returns the URL's database, else the user name (as libpq and pgjdbc do);
	 * {@code null} only when neither is known, in which case the server applies the same
	 * default.
	 * @return the database
	 */
	public @Nullable String database() {
		return (this.urlDatabase != null) ? this.urlDatabase : this.username;
	}

	/**
	 * Returns the user name from the URL or from {@link #withCredentials}.
	 * @return the user name, or {@code null}
	 */
	public @Nullable String username() {
		return this.username;
	}

	/**
	 * Returns the password from the URL or from {@link #withCredentials}.
	 * @return the password, or {@code null}
	 */
	public @Nullable String password() {
		return this.password;
	}

	/**
	 * Returns the pgjdbc connection properties translated from the URL's parameters, in
	 * URL order. Holds neither credentials nor the parameters Tandem consumes itself
	 * ({@code target_session_attrs}, {@code targetServerType}, load balancing).
	 * @return an unmodifiable map of pgjdbc property names to values
	 */
	public Map<String, String> driverProperties() {
		return this.driverProperties;
	}

	/**
	 * Returns what pgjdbc needs to connect besides the URL: the
	 * {@link #driverProperties() driver properties} with the credentials as {@code user}
	 * and {@code password}. A new object at each call, for the caller to add to.
	 * @return the connection properties
	 */
	public Properties connectionProperties() {
		Properties properties = new Properties();
		properties.putAll(this.driverProperties);
		if (this.username != null) {
			properties.setProperty("user", this.username);
		}
		if (this.password != null) {
			properties.setProperty("password", this.password);
		}
		return properties;
	}

	/**
	 * Returns the read target the URL asks for through {@code target_session_attrs}
	 * (libpq) or {@code targetServerType} (pgjdbc).
	 * @return the read target, or {@code null} when the URL names none
	 */
	public @Nullable ReadTarget readTarget() {
		return this.readTarget;
	}

	/**
	 * Returns one sentence per URL parameter that was dropped, for example
	 * {@code Parameter 'passfile' of tandem.url has no pgjdbc equivalent and is ignored.}
	 * @return the warnings, possibly empty
	 */
	public List<String> warnings() {
		return this.warnings;
	}

	/**
	 * Returns the name of the property the URL came from, for example {@code tandem.url}.
	 * @return the property name
	 */
	public String property() {
		return this.property;
	}

	/**
	 * Returns the URL as given, with the password of its user information and the value
	 * of every {@link #isSecretParameter secret} parameter replaced by {@code ****}.
	 * @return the masked URL
	 */
	public String maskedUrl() {
		return this.maskedUrl;
	}

	/**
	 * Returns a copy whose credentials are overridden by the non-null arguments. When the
	 * URL named no database, the database default follows the new user name.
	 * @param username the user name, or {@code null} to keep the current one
	 * @param password the password, or {@code null} to keep the current one
	 * @return the new spec
	 */
	public ClusterSpec withCredentials(@Nullable String username, @Nullable String password) {
		return new ClusterSpec(this.property, this.maskedUrl, this.hosts, this.urlDatabase,
				(username != null) ? username : this.username, (password != null) ? password : this.password,
				this.driverProperties, this.readTarget, this.warnings);
	}

	/**
	 * Returns a pgjdbc URL for the given hosts and this spec's database, for example
	 * {@code jdbc:postgresql://h1:5432,[::1]:5433/shop}. The URL holds neither
	 * credentials nor parameters: pass {@link #username()}, {@link #password()} and
	 * {@link #driverProperties()} as connection properties. Characters of the database
	 * other than {@code A-Z a-z 0-9 - . _ ~} are percent-encoded.
	 * @param hosts the hosts, typically all of {@link #hosts()} or one of them
	 * @return the JDBC URL
	 */
	public String jdbcUrl(List<HostAndPort> hosts) {
		if (hosts.isEmpty()) {
			throw new IllegalArgumentException("Hosts must not be empty");
		}
		String database = database();
		return "jdbc:postgresql://" + hosts.stream().map(HostAndPort::toString).collect(Collectors.joining(",")) + "/"
				+ ((database != null) ? encode(database) : "");
	}

	private static String encode(String value) {
		StringBuilder encoded = new StringBuilder();
		for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
			char c = (char) (b & 0xFF);
			if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
					|| c == '_' || c == '~') {
				encoded.append(c);
			}
			else {
				encoded.append('%')
					.append(Character.toUpperCase(Character.forDigit((c >> 4) & 0xF, 16)))
					.append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
			}
		}
		return encoded.toString();
	}

	/**
	 * Returns the property, hosts, database, user, read target, driver properties and
	 * masked URL; the password and every {@link #isSecretParameter secret} driver
	 * property show as {@code ****}.
	 * @return a description without secrets
	 */
	@Override
	public String toString() {
		Map<String, String> properties = new LinkedHashMap<>(this.driverProperties);
		properties.replaceAll((key, value) -> isSecretParameter(key) ? MASK : value);
		return "ClusterSpec[property=" + this.property + ", hosts=" + this.hosts + ", database=" + database()
				+ ", username=" + this.username + ", password=" + ((this.password != null) ? MASK : null)
				+ ", readTarget=" + ((this.readTarget != null) ? this.readTarget.value() : null) + ", driverProperties="
				+ properties + ", url=" + this.maskedUrl + "]";
	}

	/**
	 * Returns whether a URL parameter or driver property holds a secret, so that its
	 * value is never shown: any name that contains {@code password}, {@code secret} or
	 * {@code key} in any case ({@code password}, {@code sslpassword},
	 * {@code oauth_client_secret}, {@code scram_client_key}, {@code scram_server_key},
	 * unknown pgjdbc properties such as {@code apiKey}), apart from {@code sslkey} and
	 * {@code sslkeylogfile}, which name files: a file path is shown like
	 * {@code sslcert}'s, since the secret is the file's content.
	 * @param name the parameter or property name, percent-decoded where it can be
	 * @return whether its value is masked
	 */
	public static boolean isSecretParameter(String name) {
		String lower = name.toLowerCase(Locale.ROOT);
		if (lower.equals("sslkey") || lower.equals("sslkeylogfile")) {
			return false;
		}
		return lower.contains("password") || lower.contains("secret") || lower.contains("key");
	}

	@Override
	public boolean equals(@Nullable Object obj) {
		if (this == obj) {
			return true;
		}
		if (!(obj instanceof ClusterSpec other)) {
			return false;
		}
		return this.property.equals(other.property) && this.maskedUrl.equals(other.maskedUrl)
				&& this.hosts.equals(other.hosts) && Objects.equals(this.urlDatabase, other.urlDatabase)
				&& Objects.equals(this.username, other.username) && Objects.equals(this.password, other.password)
				&& this.driverProperties.equals(other.driverProperties) && this.readTarget == other.readTarget
				&& this.warnings.equals(other.warnings);
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.property, this.maskedUrl, this.hosts, this.urlDatabase, this.username,
				this.readTarget);
	}

}

package dev.tandem.url;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Properties of {@link ClusterUrlParser} over random URLs built from hosts (names, IPv4,
 * IPv6 with and without zone), ports, credentials and parameter values holding every
 * reserved character, in both URL forms, with random percent-encodings (upper and lower
 * case hex, encoded unreserved characters, {@code +} for a space in pgjdbc URLs):
 * <ul>
 * <li>a URL encoded by the documented rules parses into a {@link ClusterSpec} whose
 * hosts, ports, database, credentials, driver properties and read target are the ones it
 * was built from;</li>
 * <li>a URL whose characters are left unencoded at random, or that carries a bad host,
 * port or parameter, either parses or fails with an {@link InvalidClusterUrlException}
 * naming the property, never another exception;</li>
 * <li>in both, no secret (it always holds {@value #MARKER}) is in a message, masked URL,
 * {@code toString} or warning.</li>
 * </ul>
 * A seeded generator in plain JUnit (issue 13, item 8): every run checks the same 4000
 * URLs per property; {@code -Dtandem.url.seed=<n>} checks others and
 * {@code -Dtandem.url.cases=<n>} more or fewer, and a failure names the seed and the case
 * to replay.
 */
class ClusterUrlParserPropertyTests {

	private static final String PROPERTY = "tandem.writer.url";

	private static final String MARKER = "S3CR";

	private static final int CASES = Integer.getInteger("tandem.url.cases", 4000);

	/** Characters with a meaning somewhere in a URL, and a few that need encoding. */
	private static final String RESERVED = ":/?#[]@!$&'()*+,;=% \"<>\\^`{|}";

	/** No upper-case S, so that only a secret can hold the marker. */
	private static final String PLAIN = "abcdxyzABCZ0129-._~\u00e4\u20ac";

	@Test
	void wellFormedUrlRoundTrips() {
		long seed = Long.getLong("tandem.url.seed", 13L);
		Random random = new Random(seed);
		for (int i = 0; i < CASES; i++) {
			Case example = new Builder(random, false).build();
			String where = "seed " + seed + ", case " + i + ": " + example.url();
			ClusterSpec spec;
			try {
				spec = ClusterUrlParser.parse(PROPERTY, example.url());
			}
			catch (RuntimeException ex) {
				throw new AssertionError(where + " failed: " + ex, ex);
			}
			assertThat(spec.hosts()).as(where).isEqualTo(example.hosts());
			assertThat(spec.username()).as(where).isEqualTo(example.username());
			assertThat(spec.password()).as(where).isEqualTo(example.password());
			assertThat(spec.database()).as(where).isEqualTo(example.database());
			assertThat(spec.readTarget()).as(where).isEqualTo(example.readTarget());
			assertThat(spec.driverProperties()).as(where).containsExactlyInAnyOrderEntriesOf(example.properties());
			assertNoSecret(where, spec.maskedUrl(), spec.toString(), String.join(" ", spec.warnings()));
		}
	}

	@Test
	void urlWithUnencodedCharactersParsesOrFailsNamingTheProperty() {
		long seed = Long.getLong("tandem.url.seed", 13L);
		Random random = new Random(seed);
		int refused = 0;
		for (int i = 0; i < CASES; i++) {
			Case example = new Builder(random, true).build();
			String where = "seed " + seed + ", case " + i + ": " + example.url();
			try {
				ClusterSpec spec = ClusterUrlParser.parse(PROPERTY, example.url());
				assertNoSecret(where, spec.maskedUrl(), spec.toString(), String.join(" ", spec.warnings()));
			}
			catch (InvalidClusterUrlException ex) {
				refused++;
				assertThat(ex.property()).as(where).isEqualTo(PROPERTY);
				assertThat(ex.getMessage()).as(where).startsWith(PROPERTY + " '" + ex.maskedUrl() + "' is invalid: ");
				assertThat(ex.fault()).as(where).isNotBlank();
				assertNoSecret(where, ex.getMessage(), ex.maskedUrl(), ex.fault());
			}
			catch (RuntimeException ex) {
				throw new AssertionError(where + " threw " + ex, ex);
			}
		}
		// Both outcomes must be common, or the generator tests little
		assertThat(refused).isBetween(CASES / 10, CASES * 9 / 10);
	}

	private static void assertNoSecret(String where, String... texts) {
		for (String text : texts) {
			assertThat(text).as(where).doesNotContain(MARKER);
		}
	}

	/**
	 * A URL and what it means.
	 */
	record Case(String url, List<HostAndPort> hosts, @Nullable String username, @Nullable String password,
			@Nullable String database, Map<String, String> properties, @Nullable ReadTarget readTarget) {

	}

	/**
	 * Builds one random URL. Well-formed, it encodes every character the rules say must
	 * be encoded and, at random, others too; raw, it leaves any character unencoded at
	 * random and sometimes adds a bad host, port or parameter.
	 */
	private static final class Builder {

		private final Random random;

		private final boolean raw;

		private final boolean jdbc;

		private final List<String> parameters = new ArrayList<>();

		private final Map<String, String> properties = new LinkedHashMap<>();

		private @Nullable ReadTarget readTarget;

		Builder(Random random, boolean raw) {
			this.random = random;
			this.raw = raw;
			this.jdbc = random.nextInt(3) == 0;
		}

		Case build() {
			StringBuilder url = new StringBuilder(this.jdbc ? pick("jdbc:postgresql://", "JDBC:PostgreSQL://")
					: pick("postgresql://", "postgres://", "PostgreSQL://"));
			String user = chance(4) ? null : text(0, 6);
			String password = chance(5) ? null : secret();
			if (chance(2)) {
				if (user != null || password != null) {
					// A '/' before an unencoded '?' in the user information makes a path
					// and
					// parameters of the rest, as in libpq: never both unencoded.
					// Well-formed,
					// a '?' is always encoded.
					String mayStay = (!this.raw || this.random.nextBoolean()) ? "@/" : "@?";
					url.append(encode((user != null) ? user : "", mayStay));
					if (password != null) {
						url.append(':').append(encode(password, mayStay + ":"));
					}
					url.append('@');
				}
			}
			else {
				if (user != null) {
					this.parameters.add("user=" + value(user));
				}
				if (password != null) {
					this.parameters.add("password=" + value(password));
				}
			}
			List<HostAndPort> hosts = hosts(url);
			String database = chance(4) ? null : text(1, 8);
			if (database != null) {
				url.append('/').append(encode(database, ":/,;=&$!'()*[]#"));
			}
			else if (this.parameters.isEmpty() || chance(2)) {
				url.append(pick("", "/"));
			}
			else {
				url.append('/');
			}
			parameters();
			if (this.raw && chance(4)) {
				this.parameters.add(this.random.nextInt(this.parameters.size() + 1),
						pick("tail", "tail=x", "=", "port=", "password%=x", "%zz=1", "sslmode"));
			}
			Collections.shuffle(this.parameters.subList(0, this.parameters.size()), this.random);
			if (!this.parameters.isEmpty()) {
				url.append('?').append(String.join("&", this.parameters));
			}
			String username = (user != null && !user.isEmpty()) ? user : null;
			return new Case(url.toString(), hosts, username, password, (database != null) ? database : username,
					this.properties, this.readTarget);
		}

		private List<HostAndPort> hosts(StringBuilder url) {
			int count = 1 + this.random.nextInt(3);
			List<String> names = new ArrayList<>();
			List<Integer> ports = new ArrayList<>();
			for (int i = 0; i < count; i++) {
				names.add(host());
				ports.add(chance(3) ? HostAndPort.DEFAULT_PORT : 1 + this.random.nextInt(65535));
			}
			if (!this.jdbc && chance(4)) {
				// libpq's host and port parameters
				boolean onePort = chance(2);
				List<String> hostValues = new ArrayList<>();
				List<String> portValues = new ArrayList<>();
				for (int i = 0; i < count; i++) {
					String name = names.get(i);
					hostValues.add((name.indexOf(':') >= 0 && chance(2)) ? "[" + name + "]" : name);
					portValues.add(String.valueOf(onePort ? ports.get(0) : ports.get(i)));
				}
				if (onePort) {
					ports.replaceAll((port) -> ports.get(0));
				}
				this.parameters.add("host=" + value(String.join(",", hostValues), ":[],"));
				if (!onePort || ports.get(0) != HostAndPort.DEFAULT_PORT || chance(2)) {
					this.parameters.add("port=" + String.join(",", onePort ? portValues.subList(0, 1) : portValues));
				}
			}
			else {
				List<String> entries = new ArrayList<>();
				for (int i = 0; i < count; i++) {
					String name = names.get(i);
					String host = this.jdbc ? name : encode(name, "");
					if (name.indexOf(':') >= 0) {
						host = "[" + host + "]";
					}
					int port = ports.get(i);
					entries.add((port == HostAndPort.DEFAULT_PORT && chance(2)) ? host : host + ":" + port);
				}
				if (this.raw && chance(5)) {
					entries.set(this.random.nextInt(count),
							pick(" ", "h 1", "h/x", "-h", "h:1:2", "[::g]", "[h1", "999.1.1.1", "h%2Fx", "h%zz",
									"h:abc", "h:0", "h:70000", "h:99999999999", "[::1]x", "h1,", ":5432"));
				}
				url.append(String.join(",", entries));
			}
			List<HostAndPort> hosts = new ArrayList<>();
			for (int i = 0; i < count; i++) {
				hosts.add(new HostAndPort(names.get(i), ports.get(i)));
			}
			return hosts;
		}

		private String host() {
			return switch (this.random.nextInt(5)) {
				case 0 -> this.random.nextInt(256) + "." + this.random.nextInt(256) + "." + this.random.nextInt(256)
						+ "." + this.random.nextInt(256);
				case 1 -> pick("::1", "2001:db8::2", "fe80::1:2:3", "::ffff:10.0.0.1", "1:2:3:4:5:6:7:8", "abcd::",
						"fe80::1%eth0");
				default -> {
					StringBuilder name = new StringBuilder();
					int labels = 1 + this.random.nextInt(3);
					for (int i = 0; i < labels; i++) {
						name.append((i > 0) ? "." : "")
							.append(pick("pg", "db-1", "x", "my_db", "node7", "a-b-c", "n10", "PG"));
					}
					yield name.toString();
				}
			};
		}

		private void parameters() {
			if (chance(2)) {
				String sslpassword = secret();
				this.parameters.add("sslpassword=" + value(sslpassword));
				this.properties.put("sslpassword", sslpassword);
			}
			if (chance(2)) {
				String mode = pick("disable", "require", "verify-full");
				this.parameters.add("sslmode=" + mode);
				this.properties.put("sslmode", mode);
			}
			if (chance(2)) {
				String name = text(0, 8);
				this.parameters.add((this.jdbc ? "ApplicationName=" : "application_name=") + value(name));
				this.properties.put("ApplicationName", name);
			}
			if (chance(3)) {
				String options = "-c search_path=" + text(1, 4);
				this.parameters.add("options=" + value(options));
				this.properties.put("options", options);
			}
			if (chance(3)) {
				String seconds = String.valueOf(1 + this.random.nextInt(60));
				this.parameters.add((this.jdbc ? "connectTimeout=" : "connect_timeout=") + seconds);
				this.properties.put("connectTimeout", seconds);
			}
			if (!this.jdbc && chance(4)) {
				// Dropped with a warning, which must not show it
				this.parameters.add(pick("oauth_client_secret=", "scram_client_key=") + value(secret()));
			}
			if (chance(3)) {
				this.readTarget = ReadTarget.values()[this.random.nextInt(ReadTarget.values().length)];
				this.parameters.add(this.jdbc ? "targetServerType=" + targetServerType(this.readTarget)
						: "target_session_attrs=" + this.readTarget.value());
			}
		}

		private static String targetServerType(ReadTarget target) {
			return switch (target) {
				case ANY -> "any";
				case PRIMARY -> "primary";
				case STANDBY -> "secondary";
				case PREFER_STANDBY -> "preferSecondary";
				case PREFER_PRIMARY -> "preferPrimary";
			};
		}

		private String secret() {
			return text(0, 3) + MARKER + text(0, 3);
		}

		private String text(int min, int max) {
			int length = min + this.random.nextInt(max - min + 1);
			StringBuilder text = new StringBuilder();
			for (int i = 0; i < length; i++) {
				String from = this.random.nextBoolean() ? RESERVED : PLAIN;
				text.append(from.charAt(this.random.nextInt(from.length())));
			}
			return text.toString();
		}

		/**
		 * A parameter value: '&', '%' and '#' encoded, '+' too in pgjdbc URLs, and '@'
		 * (which may make the URL ambiguous); other reserved characters may stay.
		 */
		private String value(String value) {
			return value(value, ":/?=,;$!'()*[]");
		}

		private String value(String value, String mayStay) {
			return encode(value, mayStay);
		}

		/**
		 * Percent-encodes a text: unreserved characters stay (or are encoded, at random),
		 * characters of {@code mayStay} stay at random, a space may become {@code +} in a
		 * pgjdbc URL, everything else is encoded with random hex case. Raw, any character
		 * may stay.
		 */
		private String encode(String text, String mayStay) {
			StringBuilder encoded = new StringBuilder();
			for (int i = 0; i < text.length(); i++) {
				char c = text.charAt(i);
				boolean unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
						|| "-._~".indexOf(c) >= 0;
				if (unreserved && !chance(8)) {
					encoded.append(c);
				}
				else if ((mayStay.indexOf(c) >= 0 || (this.raw && c != '?' && c != '/')) && chance(2)) {
					encoded.append(c);
				}
				else if (c == ' ' && this.jdbc && chance(2)) {
					encoded.append('+');
				}
				else {
					for (byte b : String.valueOf(c).getBytes(StandardCharsets.UTF_8)) {
						String hex = String.format("%02X", b & 0xFF);
						encoded.append('%').append(chance(2) ? hex : hex.toLowerCase());
					}
				}
			}
			return encoded.toString();
		}

		private boolean chance(int oneIn) {
			return this.random.nextInt(oneIn) == 0;
		}

		private String pick(String... values) {
			return values[this.random.nextInt(values.length)];
		}

	}

}

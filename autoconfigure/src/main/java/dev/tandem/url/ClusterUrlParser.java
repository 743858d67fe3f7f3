package dev.tandem.url;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * Parses a cluster URL into a {@link ClusterSpec}. Two forms are accepted:
 * <ul>
 * <li>libpq URIs,
 * {@code postgresql://[user[:password]@][host][:port][,...][/dbname][?param=value&...]}
 * (also {@code postgres://}). User, password, hosts, database and parameters are
 * percent-decoded ({@code +} stays a plus). The query parameters {@code host},
 * {@code port}, {@code user}, {@code password} and {@code dbname} override the URI's
 * parts as in libpq; a {@code port} list of one entry applies to every host. Other libpq
 * parameters are translated to pgjdbc connection properties; those without a pgjdbc
 * equivalent are dropped with a {@link ClusterSpec#warnings() warning}.</li>
 * <li>pgjdbc URLs, {@code jdbc:postgresql://host[:port][,...]/database?param=value&...},
 * decoded as pgjdbc decodes them ({@code +} is a space). Parameters are pgjdbc names
 * already and pass through, apart from {@code user} and {@code password} (the
 * credentials) and those Tandem consumes. pgjdbc's host-less form
 * {@code jdbc:postgresql:database} means {@code localhost:5432}, as in pgjdbc.</li>
 * </ul>
 * Choices where the two drivers differ or are silent:
 * <ul>
 * <li>A URI with no host at all ({@code postgresql:///shop}, no {@code host} parameter)
 * means {@code localhost:5432}: libpq would use a Unix-domain socket, which Tandem (on
 * pgjdbc, over TCP) cannot. A host that names a socket directory (starts with {@code /})
 * is rejected. An empty host inside a list ({@code h1,,h2}, {@code :5432}) is an
 * error.</li>
 * <li>The user information ends at the last {@code @} before the first {@code ?}, so an
 * unencoded {@code @} or {@code /} in a password is tolerated; a {@code ?} in a password,
 * and an {@code @} in a database name, must be percent-encoded. When a {@code ?} seems to
 * sit in the password, errors mask everything up to the last {@code @} and say to encode
 * it instead of quoting a piece of the URL. User information is accepted in pgjdbc URLs
 * too.</li>
 * <li>{@code target_session_attrs} (both forms; {@code prefer-primary} as a Tandem
 * extension) and {@code targetServerType} (pgjdbc form) set the
 * {@link ClusterSpec#readTarget() read target} and are not passed to the driver;
 * {@code load_balance_hosts} and {@code loadBalanceHosts} are consumed silently, since
 * Tandem balances reads itself.</li>
 * <li>pgjdbc's {@code PGHOST}, {@code PGPORT} and {@code PGDBNAME} parameters are dropped
 * with a warning: the host list and path set them.</li>
 * </ul>
 * Errors are {@link InvalidClusterUrlException}s naming the property, the URL with its
 * password masked, and the fault. No message, warning or masked URL contains the
 * password.
 */
public final class ClusterUrlParser {

	private static final String EXPECTED_SCHEMES = "expected postgresql://, postgres:// or jdbc:postgresql://";

	private static final String MASK = "****";

	private static final Set<String> SECRET_PARAMETERS = Set.of("password", "sslpassword");

	/**
	 * libpq parameters with a pgjdbc property of the same meaning and values.
	 */
	private static final Map<String, String> LIBPQ_TO_PGJDBC = Map.ofEntries(Map.entry("sslmode", "sslmode"),
			Map.entry("sslrootcert", "sslrootcert"), Map.entry("sslcert", "sslcert"), Map.entry("sslkey", "sslkey"),
			Map.entry("sslpassword", "sslpassword"), Map.entry("connect_timeout", "connectTimeout"),
			Map.entry("application_name", "ApplicationName"), Map.entry("options", "options"),
			Map.entry("gssencmode", "gssEncMode"), Map.entry("channel_binding", "channelBinding"),
			Map.entry("sslnegotiation", "sslNegotiation"), Map.entry("require_auth", "requireAuth"),
			Map.entry("krbsrvname", "kerberosServerName"), Map.entry("gsslib", "gsslib"));

	/**
	 * libpq parameters pgjdbc has nothing for.
	 */
	private static final Set<String> LIBPQ_WITHOUT_EQUIVALENT = Set.of("passfile", "keepalives_idle",
			"keepalives_interval", "keepalives_count", "tcp_user_timeout", "hostaddr", "sslcompression", "sslcrl",
			"sslcrldir", "sslsni", "sslcertmode", "sslkeylogfile", "requirepeer", "ssl_min_protocol_version",
			"ssl_max_protocol_version", "min_protocol_version", "max_protocol_version", "scram_client_key",
			"scram_server_key", "oauth_issuer", "oauth_client_id", "oauth_client_secret", "oauth_scope");

	private ClusterUrlParser() {
	}

	/**
	 * Parses a cluster URL.
	 * @param property the name of the property the URL came from, quoted in errors and
	 * warnings, for example {@code tandem.url}
	 * @param url the URL
	 * @return the cluster spec
	 * @throws InvalidClusterUrlException if the URL is blank or invalid
	 */
	public static ClusterSpec parse(String property, @Nullable String url) {
		if (url == null || url.isBlank()) {
			throw new InvalidClusterUrlException(property, "", "the URL is empty; " + EXPECTED_SCHEMES);
		}
		return new Parse(property, url.strip()).run();
	}

	/**
	 * Returns the URL with its user-information password and any {@code password} or
	 * {@code sslpassword} parameter value replaced by {@code ****}, using the same
	 * splitting rules as the parser, so it is safe on URLs the parser rejects.
	 */
	static String mask(String url) {
		int start = authorityStart(url);
		StringBuilder masked = new StringBuilder(url.length());
		int query = url.indexOf('?', start);
		int beforeQuery = (query >= 0) ? query : url.length();
		int at = url.lastIndexOf('@', beforeQuery - 1);
		int colon = url.indexOf(':', start);
		if (at >= start && colon >= 0 && colon < at) {
			masked.append(url, 0, colon + 1).append(MASK).append(url, at, beforeQuery);
		}
		else {
			masked.append(url, 0, beforeQuery);
		}
		if (query >= 0) {
			masked.append('?');
			String[] pairs = url.substring(query + 1).split("&", -1);
			for (int i = 0; i < pairs.length; i++) {
				if (i > 0) {
					masked.append('&');
				}
				String pair = pairs[i];
				int equals = pair.indexOf('=');
				String key = (equals >= 0) ? pair.substring(0, equals) : pair;
				if (equals >= 0 && SECRET_PARAMETERS.contains(lenientDecode(key).toLowerCase(Locale.ROOT))) {
					masked.append(key).append('=').append(MASK);
				}
				else {
					masked.append(pair);
				}
			}
		}
		return masked.toString();
	}

	/**
	 * Returns whether the URL may hold a password with an unencoded {@code ?}: no
	 * {@code @} before the first {@code ?}, one after it, and a {@code :} before it. The
	 * parser then cannot tell the password from the rest, so errors mask more and quote
	 * nothing of the URL.
	 */
	static boolean isAmbiguous(String url) {
		int start = authorityStart(url);
		int query = url.indexOf('?', start);
		if (query < 0 || url.lastIndexOf('@', query - 1) >= start || url.lastIndexOf('@') < query) {
			return false;
		}
		int colon = url.indexOf(':', start);
		return colon >= 0 && colon < query;
	}

	/**
	 * Masks as {@link #mask(String)} does and, for an {@link #isAmbiguous ambiguous} URL,
	 * also everything from the first {@code :} after the scheme to the last {@code @}.
	 */
	static String maskForError(String url) {
		if (!isAmbiguous(url)) {
			return mask(url);
		}
		int colon = url.indexOf(':', authorityStart(url));
		return mask(url.substring(0, colon + 1) + MASK + url.substring(url.lastIndexOf('@')));
	}

	/**
	 * Returns where the user information may start: after {@code ://}, else at 0 (a URL
	 * without scheme may still carry credentials).
	 */
	private static int authorityStart(String url) {
		int separator = url.indexOf("://");
		return (separator >= 0) ? separator + 3 : 0;
	}

	private static String lenientDecode(String value) {
		try {
			return percentDecode(value, false);
		}
		catch (IllegalArgumentException ex) {
			return value;
		}
	}

	/**
	 * Decodes {@code %XX} sequences as UTF-8; with {@code plusIsSpace}, also {@code +} to
	 * a space (pgjdbc decodes with {@link java.net.URLDecoder}, libpq does not).
	 */
	static String percentDecode(String value, boolean plusIsSpace) {
		if (value.indexOf('%') < 0 && (!plusIsSpace || value.indexOf('+') < 0)) {
			return value;
		}
		ByteArrayOutputStream bytes = new ByteArrayOutputStream(value.length());
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (c == '%') {
				if (i + 2 >= value.length() || Character.digit(value.charAt(i + 1), 16) < 0
						|| Character.digit(value.charAt(i + 2), 16) < 0) {
					throw new IllegalArgumentException("invalid percent-encoding");
				}
				bytes.write(Character.digit(value.charAt(i + 1), 16) * 16 + Character.digit(value.charAt(i + 2), 16));
				i += 2;
			}
			else if (c == '+' && plusIsSpace) {
				bytes.write(' ');
			}
			else {
				byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
				if (Character.isHighSurrogate(c) && i + 1 < value.length()) {
					encoded = value.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
					i++;
				}
				bytes.write(encoded, 0, encoded.length);
			}
		}
		return bytes.toString(StandardCharsets.UTF_8);
	}

	/**
	 * One run of the parser over one URL.
	 */
	private static final class Parse {

		private final String property;

		private final String url;

		private final String maskedUrl;

		private boolean jdbc;

		private final List<String> hostList = new ArrayList<>();

		private final List<String> portList = new ArrayList<>();

		private @Nullable String database;

		private @Nullable String username;

		private @Nullable String password;

		private final Map<String, String> parameters = new LinkedHashMap<>();

		private final Map<String, String> driverProperties = new LinkedHashMap<>();

		private @Nullable ReadTarget readTarget;

		private @Nullable String readTargetSource;

		private final List<String> warnings = new ArrayList<>();

		Parse(String property, String url) {
			this.property = property;
			this.url = url;
			this.maskedUrl = mask(url);
		}

		ClusterSpec run() {
			String lower = this.url.toLowerCase(Locale.ROOT);
			if (lower.startsWith("postgresql://") || lower.startsWith("postgres://")) {
				parseHierarchical(this.url.substring(this.url.indexOf("://") + 3));
			}
			else if (lower.startsWith("jdbc:postgresql://")) {
				this.jdbc = true;
				parseHierarchical(this.url.substring("jdbc:postgresql://".length()));
			}
			else if (lower.startsWith("jdbc:postgresql:")) {
				this.jdbc = true;
				parseHostless(this.url.substring("jdbc:postgresql:".length()));
			}
			else {
				int separator = this.url.indexOf("://");
				throw fail((separator >= 0)
						? "unknown scheme '" + this.url.substring(0, separator) + "'; " + EXPECTED_SCHEMES
						: "missing scheme; " + EXPECTED_SCHEMES);
			}
			if (this.jdbc) {
				applyJdbcParameters();
			}
			else {
				applyLibpqParameters();
			}
			return new ClusterSpec(this.property, this.maskedUrl, hosts(), this.database, this.username, this.password,
					this.driverProperties, this.readTarget, this.warnings);
		}

		private void parseHierarchical(String rest) {
			int query = rest.indexOf('?');
			int beforeQuery = (query >= 0) ? query : rest.length();
			int at = rest.lastIndexOf('@', beforeQuery - 1);
			if (at >= 0) {
				parseUserInfo(rest.substring(0, at));
			}
			int authorityEnd = beforeQuery;
			int slash = rest.indexOf('/', at + 1);
			if (slash >= 0 && slash < beforeQuery) {
				authorityEnd = slash;
				String path = rest.substring(slash + 1, beforeQuery);
				this.database = emptyToNull(decode(path, "the database name"));
			}
			parseAuthority(rest.substring(at + 1, authorityEnd));
			if (query >= 0) {
				parseQuery(rest.substring(query + 1));
			}
		}

		private void parseHostless(String rest) {
			int query = rest.indexOf('?');
			String path = (query >= 0) ? rest.substring(0, query) : rest;
			this.database = emptyToNull(decode(path, "the database name"));
			if (query >= 0) {
				parseQuery(rest.substring(query + 1));
			}
		}

		private void parseUserInfo(String userInfo) {
			int colon = userInfo.indexOf(':');
			String user = (colon >= 0) ? userInfo.substring(0, colon) : userInfo;
			this.username = emptyToNull(decode(user, "the user name"));
			if (colon >= 0) {
				this.password = emptyToNull(decode(userInfo.substring(colon + 1), "the password"));
			}
		}

		private void parseAuthority(String authority) {
			if (authority.isEmpty()) {
				return;
			}
			for (String entry : authority.split(",", -1)) {
				parseHostEntry(entry, authority);
			}
		}

		private void parseHostEntry(String entry, String authority) {
			String host;
			String port = "";
			if (entry.startsWith("[")) {
				int close = entry.indexOf(']');
				if (close < 0) {
					throw fail("unclosed '[' in host '" + entry + "'");
				}
				host = entry.substring(1, close);
				String after = entry.substring(close + 1);
				if (after.startsWith(":")) {
					port = after.substring(1);
				}
				else if (!after.isEmpty()) {
					throw fail("unexpected '" + after + "' after ']' in host '" + entry + "'");
				}
			}
			else {
				int colon = entry.indexOf(':');
				if (colon >= 0 && entry.indexOf(':', colon + 1) >= 0) {
					throw fail("IPv6 address '" + entry + "' must be enclosed in brackets, for example [" + entry
							+ "]:5432");
				}
				host = (colon >= 0) ? entry.substring(0, colon) : entry;
				port = (colon >= 0) ? entry.substring(colon + 1) : "";
			}
			if (host.isEmpty()) {
				throw fail("empty host in host list '" + authority + "'");
			}
			this.hostList.add(this.jdbc ? host : decode(host, "host '" + host + "'"));
			this.portList.add(port);
		}

		private void parseQuery(String query) {
			for (String pair : query.split("&")) {
				if (pair.isEmpty()) {
					continue;
				}
				int equals = pair.indexOf('=');
				if (equals < 0 && !this.jdbc) {
					throw fail("parameter '" + pair + "' has no '=' and value");
				}
				// pgjdbc reads a parameter without '=' as an empty value
				String key = decode((equals >= 0) ? pair.substring(0, equals) : pair, "a parameter name");
				String value = (equals >= 0)
						? decode(pair.substring(equals + 1), "the value of parameter '" + key + "'") : "";
				this.parameters.put(key, value);
			}
		}

		private void applyLibpqParameters() {
			@Nullable String fallbackApplicationName = null;
			for (Map.Entry<String, String> parameter : this.parameters.entrySet()) {
				String key = parameter.getKey();
				String value = parameter.getValue();
				switch (key) {
					case "host" -> replaceHosts(value);
					case "port" -> replacePorts(value);
					case "user" -> this.username = emptyToNull(value);
					case "password" -> this.password = emptyToNull(value);
					case "dbname" -> this.database = emptyToNull(value);
					case "target_session_attrs" -> readTarget(key, value);
					case "load_balance_hosts" -> {
						// Tandem balances reads across standbys itself
					}
					case "keepalives" -> this.driverProperties.put("tcpKeepAlive", String.valueOf(keepalives(value)));
					case "fallback_application_name" -> fallbackApplicationName = value;
					case "client_encoding" -> warn(key, "has no pgjdbc equivalent (pgjdbc always uses UTF8)");
					case "replication" -> warn(key, "would open walsender connections, which pools cannot use,");
					case "service" -> warn(key, "is not supported (Tandem needs the hosts in the URL)");
					default -> {
						String pgjdbcName = LIBPQ_TO_PGJDBC.get(key);
						if (pgjdbcName != null) {
							this.driverProperties.put(pgjdbcName, value);
						}
						else if (LIBPQ_WITHOUT_EQUIVALENT.contains(key)) {
							warn(key, "has no pgjdbc equivalent");
						}
						else {
							warn(key, "is not a libpq connection parameter");
						}
					}
				}
			}
			if (fallbackApplicationName != null && !this.driverProperties.containsKey("ApplicationName")) {
				this.driverProperties.put("ApplicationName", fallbackApplicationName);
			}
		}

		private void applyJdbcParameters() {
			for (Map.Entry<String, String> parameter : this.parameters.entrySet()) {
				String key = parameter.getKey();
				String value = parameter.getValue();
				switch (key) {
					case "user" -> this.username = emptyToNull(value);
					case "password" -> this.password = emptyToNull(value);
					case "targetServerType", "target_session_attrs" -> readTarget(key, value);
					case "loadBalanceHosts" -> {
						// Tandem balances reads across standbys itself
					}
					case "PGHOST", "PGPORT", "PGDBNAME" -> warn(key, "is set from the host list and path of the URL");
					default -> this.driverProperties.put(key, value);
				}
			}
		}

		private void readTarget(String key, String value) {
			ReadTarget target;
			try {
				target = key.equals("targetServerType") ? ReadTarget.fromTargetServerType(value)
						: ReadTarget.fromTargetSessionAttrs(value);
			}
			catch (IllegalArgumentException ex) {
				throw fail(Character.toLowerCase(ex.getMessage().charAt(0)) + ex.getMessage().substring(1));
			}
			if (this.readTarget != null && this.readTarget != target && !key.equals(this.readTargetSource)) {
				throw fail(this.readTargetSource + " and " + key + " ask for different read targets ("
						+ this.readTarget.value() + ", " + target.value() + ")");
			}
			this.readTarget = target;
			this.readTargetSource = key;
		}

		private boolean keepalives(String value) {
			try {
				return Integer.parseInt(value.strip()) != 0;
			}
			catch (NumberFormatException ex) {
				throw fail("keepalives '" + value + "' is not a number (1 to enable, 0 to disable)");
			}
		}

		private void replaceHosts(String value) {
			this.hostList.clear();
			for (String host : value.split(",", -1)) {
				if (host.startsWith("[") && host.endsWith("]")) {
					host = host.substring(1, host.length() - 1);
				}
				if (host.isEmpty()) {
					throw fail("empty host in parameter host '" + value + "'");
				}
				this.hostList.add(host);
			}
		}

		private void replacePorts(String value) {
			this.portList.clear();
			this.portList.addAll(List.of(value.split(",", -1)));
		}

		private List<HostAndPort> hosts() {
			List<String> names = new ArrayList<>(this.hostList);
			if (names.isEmpty()) {
				names.add("localhost");
			}
			List<String> ports = this.portList;
			if (ports.size() > 1 && ports.size() != names.size()) {
				throw fail("could not match " + ports.size() + " port numbers to " + names.size() + " hosts");
			}
			List<HostAndPort> hosts = new ArrayList<>(names.size());
			for (int i = 0; i < names.size(); i++) {
				String name = names.get(i);
				if (name.startsWith("/")) {
					throw fail("host '" + name
							+ "' is a Unix-domain socket directory; Tandem connects over TCP, give a host name");
				}
				String port = ports.isEmpty() ? "" : ports.get((ports.size() == 1) ? 0 : i);
				hosts.add(new HostAndPort(name, port(port, name)));
			}
			return hosts;
		}

		private int port(String port, String host) {
			String trimmed = port.strip();
			if (trimmed.isEmpty()) {
				return HostAndPort.DEFAULT_PORT;
			}
			if (!trimmed.chars().allMatch((c) -> c >= '0' && c <= '9')) {
				throw fail("port '" + port + "' of host '" + host + "' is not a number");
			}
			int number = (trimmed.length() > 5) ? Integer.MAX_VALUE : Integer.parseInt(trimmed);
			if (number < 1 || number > 65535) {
				throw fail("port " + trimmed + " of host '" + host + "' is out of range 1..65535");
			}
			return number;
		}

		private String decode(String value, String what) {
			try {
				return percentDecode(value, this.jdbc);
			}
			catch (IllegalArgumentException ex) {
				throw fail("invalid percent-encoding in " + what);
			}
		}

		private void warn(String key, String reason) {
			this.warnings.add("Parameter '" + key + "' of " + this.property + " " + reason + " and is ignored.");
		}

		private InvalidClusterUrlException fail(String fault) {
			if (isAmbiguous(this.url)) {
				// The fault may quote a piece of the password: say what to fix instead
				return new InvalidClusterUrlException(this.property, maskForError(this.url),
						"it cannot be split into credentials and hosts; percent-encode a '?' in the password as %3F");
			}
			return new InvalidClusterUrlException(this.property, this.maskedUrl, fault);
		}

		private static @Nullable String emptyToNull(@Nullable String value) {
			return (value == null || value.isEmpty()) ? null : value;
		}

	}

}

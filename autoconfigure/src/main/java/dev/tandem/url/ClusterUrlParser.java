package dev.tandem.url;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.postgresql.PGProperty;

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
 * and an {@code @} in a database name, must be percent-encoded. A URL with an {@code @}
 * after its first {@code ?} and no {@code /} ending the host list before that {@code ?}
 * ({@code postgresql://user:?secret@host/db}, {@code postgresql://host:5432?user=a@b}) is
 * refused: libpq reads up to that {@code @} as credentials, so a password with an
 * unencoded {@code ?} looks the same. Errors then mask everything up to the last
 * {@code @} and say what to encode instead of quoting a piece of the URL. User
 * information is accepted in pgjdbc URLs too.</li>
 * <li>A host is a host name (letters, digits, {@code -}, {@code _}, dots), an IPv4
 * address or an IPv6 address in brackets (without brackets in the {@code host} parameter,
 * where ports go in the {@code port} parameter); anything else, and an empty {@code port}
 * parameter, is refused. pgjdbc's host-less form names a database only: a {@code :},
 * {@code /} or {@code @} in it is refused.</li>
 * <li>Values of {@link ClusterSpec#isSecretParameter secret} parameters are masked
 * everywhere. A parameter right after a secret one that has no {@code =} or is not a
 * parameter of the URL's form (libpq, pgjdbc) is refused without being quoted: it may be
 * the rest of the secret after an unencoded {@code &}.</li>
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

	private static final String AMBIGUOUS = "it cannot be split into credentials and hosts: an '@' follows the "
			+ "first '?' and no '/' ends the host list before it; percent-encode a '?' in the password as %3F "
			+ "and an '@' in a parameter value as %40";

	/**
	 * A host name: dot-separated labels of letters, digits, {@code -} and {@code _}
	 * (which container platforms use), neither starting nor ending with {@code -}, with
	 * an optional final dot.
	 */
	private static final Pattern HOST_NAME = Pattern.compile("(?=.{1,254}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}"
			+ "[A-Za-z0-9_])?(?:\\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\\.?");

	private static final Pattern IPV4 = Pattern.compile(
			"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");

	private static final Pattern IPV6_GROUP = Pattern.compile("[0-9A-Fa-f]{1,4}");

	private static final Pattern IPV6_ZONE = Pattern.compile("[A-Za-z0-9._~-]+");

	/**
	 * libpq parameters the parser handles itself.
	 */
	private static final Set<String> LIBPQ_HANDLED = Set.of("host", "port", "user", "password", "dbname",
			"target_session_attrs", "load_balance_hosts", "keepalives", "fallback_application_name", "client_encoding",
			"replication", "service");

	/**
	 * pgjdbc URL parameters the parser consumes, beside pgjdbc's own properties.
	 */
	private static final Set<String> JDBC_CONSUMED = Set.of("user", "password", "targetServerType",
			"target_session_attrs", "loadBalanceHosts", "PGHOST", "PGPORT", "PGDBNAME");

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
	 * Returns the URL with its user-information password and the value of every
	 * {@link ClusterSpec#isSecretParameter secret} parameter replaced by {@code ****},
	 * using the same splitting rules as the parser, so it is safe on URLs the parser
	 * rejects. The parameters right after a secret one that may be the rest of its value
	 * (an unencoded {@code &}: no {@code =}, or a name the driver does not know) are
	 * replaced whole.
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
			boolean jdbc = url.regionMatches(true, 0, "jdbc:", 0, 5);
			boolean afterSecret = false;
			String[] pairs = url.substring(query + 1).split("&", -1);
			for (int i = 0; i < pairs.length; i++) {
				if (i > 0) {
					masked.append('&');
				}
				afterSecret = maskPair(masked, pairs[i], jdbc, afterSecret, false);
			}
		}
		return masked.toString();
	}

	/**
	 * Appends one {@code key=value} pair of a query, masked: the value of a secret
	 * parameter, and the whole pair when it follows a secret one and has no {@code =} or
	 * a name the driver does not know (the rest of the secret after an unencoded
	 * {@code &}).
	 * @param masked where the pair goes
	 * @param pair the pair as written
	 * @param jdbc whether the URL is a pgjdbc URL
	 * @param afterSecret whether the pair follows a secret or masked pair
	 * @param namesOnly whether to mask every value
	 * @return whether the next pair follows a secret or masked pair
	 */
	private static boolean maskPair(StringBuilder masked, String pair, boolean jdbc, boolean afterSecret,
			boolean namesOnly) {
		if (pair.isEmpty()) {
			return afterSecret;
		}
		int equals = pair.indexOf('=');
		String key = (equals >= 0) ? pair.substring(0, equals) : pair;
		String decodedKey = lenientDecode(key);
		if (afterSecret && (equals < 0 || !isKnownParameter(decodedKey, jdbc))) {
			masked.append(MASK);
			return true;
		}
		if (equals >= 0 && ClusterSpec.isSecretParameter(decodedKey)) {
			masked.append(key).append('=').append(MASK);
			return true;
		}
		if (namesOnly) {
			masked.append((equals >= 0) ? key + "=" + MASK : MASK);
		}
		else {
			masked.append(pair);
		}
		return false;
	}

	/**
	 * Returns whether a parameter name is one the parser knows for the URL's form: a
	 * libpq connection parameter, or a pgjdbc property.
	 */
	static boolean isKnownParameter(String name, boolean jdbc) {
		if (jdbc) {
			return JDBC_CONSUMED.contains(name) || PGProperty.forName(name) != null;
		}
		return LIBPQ_HANDLED.contains(name) || LIBPQ_TO_PGJDBC.containsKey(name)
				|| LIBPQ_WITHOUT_EQUIVALENT.contains(name);
	}

	/**
	 * Returns whether the URL is ambiguous: an {@code @} follows the first {@code ?}, and
	 * no {@code /} ends the host list before that {@code ?}. The parser would read the
	 * {@code ?} as the start of the parameters; libpq reads everything up to the first
	 * {@code @} (unless a {@code /} comes first) as user name and password, and a
	 * password with an unencoded {@code ?} looks the same. Such URLs are refused.
	 */
	static boolean isAmbiguous(String url) {
		int start = authorityStart(url);
		int query = url.indexOf('?', start);
		if (query < 0 || url.indexOf('@', query) < 0) {
			return false;
		}
		int at = url.lastIndexOf('@', query - 1);
		int slash = url.indexOf('/', (at >= start) ? at + 1 : start);
		return slash < 0 || slash > query;
	}

	/**
	 * Returns whether a password with an unencoded {@code ?} may have spilled into the
	 * hosts, path or parameters: no {@code @} before the first {@code ?}, one after it,
	 * and a {@code :} before it. Errors then mask more and quote nothing of the URL.
	 */
	static boolean mayHidePassword(String url) {
		int start = authorityStart(url);
		int query = url.indexOf('?', start);
		if (query < 0 || url.lastIndexOf('@', query - 1) >= start || url.lastIndexOf('@') < query) {
			return false;
		}
		int colon = url.indexOf(':', start);
		return colon >= 0 && colon < query;
	}

	/**
	 * Masks as {@link #mask(String)} does; for an {@link #isAmbiguous ambiguous} URL or
	 * one that {@link #mayHidePassword may hide a password}, masks everything from the
	 * first {@code :} after the scheme (else from the start of the user information) to
	 * the last {@code @}, and after that {@code @} quotes only the first piece (the
	 * hosts, as libpq would read them, unless it ends the value of a secret parameter)
	 * and the names of parameters: the URL cannot be split reliably, so any value may be
	 * a piece of a secret.
	 */
	static String maskForError(String url) {
		if (!isAmbiguous(url) && !mayHidePassword(url)) {
			return mask(url);
		}
		int start = authorityStart(url);
		int at = url.lastIndexOf('@');
		int colon = url.indexOf(':', start);
		int from = (colon >= 0 && colon < at) ? colon + 1 : start;
		int query = url.indexOf('?', start);
		boolean jdbc = url.regionMatches(true, 0, "jdbc:", 0, 5);
		// Whether the text right after the last '@' belongs to a secret, read as
		// parameters
		boolean afterSecret = false;
		if (query >= 0 && query < at) {
			String[] pairs = url.substring(query + 1, at).split("&", -1);
			for (int i = 0; i < pairs.length - 1; i++) {
				afterSecret = maskPair(new StringBuilder(), pairs[i], jdbc, afterSecret, false);
			}
			// The pair the '@' sits in, up to the '@'; empty, it continues the one before
			afterSecret = maskPair(new StringBuilder(), pairs[pairs.length - 1], jdbc, afterSecret, false);
		}
		// Before 'from' the parameters may begin (a ':' after the '?'): masked as usual
		StringBuilder masked = new StringBuilder(url.length()).append(mask(url.substring(0, from)))
			.append(MASK)
			.append('@');
		String rest = url.substring(at + 1);
		int end = 0;
		while (end < rest.length() && rest.charAt(end) != '?' && rest.charAt(end) != '&') {
			end++;
		}
		masked.append(afterSecret ? MASK : rest.substring(0, end));
		while (end < rest.length()) {
			masked.append(rest.charAt(end));
			int next = end + 1;
			while (next < rest.length() && rest.charAt(next) != '?' && rest.charAt(next) != '&') {
				next++;
			}
			afterSecret = maskPair(masked, rest.substring(end + 1, next), jdbc, afterSecret, true);
			end = next;
		}
		return masked.toString();
	}

	/**
	 * Returns where the user information may start: after {@code ://}, after
	 * {@code jdbc:postgresql:} in pgjdbc's host-less form, else at 0 (a URL without
	 * scheme may still carry credentials).
	 */
	private static int authorityStart(String url) {
		if (url.regionMatches(true, 0, "jdbc:postgresql:", 0, 16) && !url.startsWith("//", 16)) {
			return 16;
		}
		int separator = url.indexOf("://");
		return (separator >= 0) ? separator + 3 : 0;
	}

	/**
	 * Returns whether a host, percent-decoded, is a host name or an IPv4 address.
	 */
	static boolean isHostName(String host) {
		if (host.chars().allMatch((c) -> c == '.' || (c >= '0' && c <= '9'))) {
			return IPV4.matcher(host).matches();
		}
		return HOST_NAME.matcher(host).matches();
	}

	/**
	 * Returns whether a host, without brackets and percent-decoded, is an IPv6 address,
	 * optionally with a zone ({@code fe80::1%eth0}).
	 */
	static boolean isIpv6(String host) {
		String address = host;
		int percent = host.indexOf('%');
		if (percent >= 0) {
			if (!IPV6_ZONE.matcher(host.substring(percent + 1)).matches()) {
				return false;
			}
			address = host.substring(0, percent);
		}
		int gap = address.indexOf("::");
		if (gap >= 0 && address.indexOf("::", gap + 1) >= 0) {
			return false;
		}
		int groups = 0;
		String[] parts = (gap >= 0) ? new String[] { address.substring(0, gap), address.substring(gap + 2) }
				: new String[] { address };
		for (int p = 0; p < parts.length; p++) {
			if (parts[p].isEmpty() && gap >= 0) {
				continue;
			}
			String[] fields = parts[p].split(":", -1);
			for (int i = 0; i < fields.length; i++) {
				boolean last = p == parts.length - 1 && i == fields.length - 1;
				if (last && fields[i].indexOf('.') >= 0 && IPV4.matcher(fields[i]).matches()) {
					groups += 2;
				}
				else if (IPV6_GROUP.matcher(fields[i]).matches()) {
					groups++;
				}
				else {
					return false;
				}
			}
		}
		return (gap >= 0) ? groups <= 7 : groups == 8;
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
			if (isAmbiguous(this.url)) {
				throw fail(AMBIGUOUS);
			}
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
			if (path.indexOf('@') >= 0 || path.indexOf(':') >= 0 || path.indexOf('/') >= 0) {
				// Hosts or credentials without '//': never quote them, they may hold a
				// password
				throw fail("'jdbc:postgresql:' without '//' names a database only; give hosts and credentials as "
						+ "jdbc:postgresql://user:password@host:5432/database");
			}
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
				host = hostName(entry.substring(1, close));
				if (!isIpv6(host)) {
					throw fail("host '[" + host + "]' is not an IPv6 address");
				}
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
					throw fail(isIpv6(this.jdbc ? entry : lenientDecode(entry))
							? "IPv6 address '" + entry + "' must be enclosed in brackets, for example [" + entry
									+ "]:5432"
							: "host '" + entry + "' has more than one ':'; give one port after a host name, "
									+ "or an IPv6 address in brackets, for example [::1]:5432");
				}
				host = (colon >= 0) ? entry.substring(0, colon) : entry;
				port = (colon >= 0) ? entry.substring(colon + 1) : "";
				if (!host.isEmpty()) {
					host = hostName(host);
					// A socket directory is refused with its own message later
					if (!host.startsWith("/") && !isHostName(host)) {
						throw fail("host '" + host + "' is not a host name or IPv4 address");
					}
				}
			}
			if (host.isEmpty()) {
				throw fail("empty host in host list '" + authority + "'");
			}
			this.hostList.add(host);
			this.portList.add(port);
		}

		/**
		 * Decodes a host of a libpq URI; pgjdbc does not decode hosts.
		 */
		private String hostName(String host) {
			return this.jdbc ? host : decode(host, "host '" + host + "'");
		}

		private void parseQuery(String query) {
			@Nullable String secret = null;
			for (String pair : query.split("&")) {
				if (pair.isEmpty()) {
					continue;
				}
				int equals = pair.indexOf('=');
				String rawKey = (equals >= 0) ? pair.substring(0, equals) : pair;
				if (secret != null && (equals < 0 || !isKnownParameter(lenientDecode(rawKey), this.jdbc))) {
					// Likely the rest of the secret after an unencoded '&': never quote
					// it
					throw fail("the parameter after '" + secret + "' has no '=' or is not a "
							+ (this.jdbc ? "pgjdbc property" : "libpq parameter")
							+ ", so it may be the rest of that value; percent-encode an '&' in its value as %26");
				}
				if (equals < 0 && !this.jdbc) {
					throw fail("parameter '" + pair + "' has no '=' and value");
				}
				// pgjdbc reads a parameter without '=' as an empty value
				String key = decode(rawKey, "a parameter name");
				String value = (equals >= 0)
						? decode(pair.substring(equals + 1), "the value of parameter '" + key + "'") : "";
				this.parameters.put(key, value);
				secret = (equals >= 0 && ClusterSpec.isSecretParameter(key)) ? key : null;
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
				if (host.startsWith("[")) {
					if (!host.endsWith("]")) {
						throw fail("unclosed '[' in parameter host '" + value + "'");
					}
					if (!isIpv6(host.substring(1, host.length() - 1))) {
						throw fail("host '" + host + "' in parameter host is not an IPv6 address");
					}
					host = host.substring(1, host.length() - 1);
				}
				else if (host.isEmpty()) {
					throw fail("empty host in parameter host '" + value + "'");
				}
				else if (!host.startsWith("/") && !((host.indexOf(':') >= 0) ? isIpv6(host) : isHostName(host))) {
					throw fail("host '" + host + "' in parameter host is neither a host name nor an IPv6 address"
							+ ((host.indexOf(':') >= 0) ? "; give ports in parameter port" : ""));
				}
				this.hostList.add(host);
			}
		}

		private void replacePorts(String value) {
			if (value.isBlank()) {
				throw fail("parameter port is empty; give a port number, or leave the parameter out for "
						+ HostAndPort.DEFAULT_PORT);
			}
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
			if (isAmbiguous(this.url) || mayHidePassword(this.url)) {
				// The fault may quote a piece of the password: say what to fix instead
				return new InvalidClusterUrlException(this.property, maskForError(this.url), AMBIGUOUS);
			}
			return new InvalidClusterUrlException(this.property, this.maskedUrl, fault);
		}

		private static @Nullable String emptyToNull(@Nullable String value) {
			return (value == null || value.isEmpty()) ? null : value;
		}

	}

}

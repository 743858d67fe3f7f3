package dev.tandem.url;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link ClusterUrlParser}: one row per input.
 */
class ClusterUrlParserTests {

	private static final String PROPERTY = "tandem.url";

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', quoteCharacter = '"', nullValues = "null",
			textBlock = """
					# url                                                         | hosts                           | database  | username | password
					postgresql://app:secret@pg1:5432/shop                         | pg1:5432                        | shop      | app      | secret
					postgresql://app:secret@pg1:5432,pg2:5433,pg3/shop            | pg1:5432,pg2:5433,pg3:5432      | shop      | app      | secret
					postgres://pg1/shop                                           | pg1:5432                        | shop      | null     | null
					POSTGRESQL://pg1/shop                                         | pg1:5432                        | shop      | null     | null
					postgresql://[::1]:5433,[2001:db8::2]/shop                    | [::1]:5433,[2001:db8::2]:5432   | shop      | null     | null
					postgresql://pg1:/shop                                        | pg1:5432                        | shop      | null     | null
					postgresql://pg1                                              | pg1:5432                        | null      | null     | null
					postgresql://app@pg1                                          | pg1:5432                        | app       | app      | null
					postgresql://app:secret@pg1/                                  | pg1:5432                        | app       | app      | secret
					postgresql://us%40er:p%40ss%2Fw%3Ard@pg1/shop                 | pg1:5432                        | shop      | us@er    | p@ss/w:rd
					postgresql://app:p@ss@pg1/shop                                | pg1:5432                        | shop      | app      | p@ss
					postgresql://app:pa/ss@pg1/shop                               | pg1:5432                        | shop      | app      | pa/ss
					postgresql://app:a+b@pg1/my%20db                              | pg1:5432                        | my db     | app      | a+b
					postgresql:///shop                                            | localhost:5432                  | shop      | null     | null
					postgresql://                                                 | localhost:5432                  | null      | null     | null
					postgresql:///shop?port=5433                                  | localhost:5433                  | shop      | null     | null
					postgresql:///shop?host=h1,h2&port=5432,5433                  | h1:5432,h2:5433                 | shop      | null     | null
					postgresql:///shop?host=h1,h2&port=5433                       | h1:5433,h2:5433                 | shop      | null     | null
					postgresql://pg1:5433/shop?host=h1,h2                         | h1:5433,h2:5433                 | shop      | null     | null
					postgresql:///shop?host=::1,[::2],h3                          | [::1]:5432,[::2]:5432,h3:5432   | shop      | null     | null
					postgresql://u:p@pg1/db?user=other&password=pw&dbname=sales   | pg1:5432                        | sales     | other    | pw
					jdbc:postgresql://h1:5432,h2/shop?user=app&password=secret    | h1:5432,h2:5432                 | shop      | app      | secret
					JDBC:PostgreSQL://h1/shop                                     | h1:5432                         | shop      | null     | null
					jdbc:postgresql://[::1]:5433,h2:5434/shop                     | [::1]:5433,h2:5434              | shop      | null     | null
					jdbc:postgresql://h1/my+db%2F1?password=a+b                   | h1:5432                         | my db/1   | null     | a b
					jdbc:postgresql://h1                                          | h1:5432                         | null      | null     | null
					jdbc:postgresql://h1/?user=app                                | h1:5432                         | app       | app      | null
					jdbc:postgresql://app:secret@h1/shop                          | h1:5432                         | shop      | app      | secret
					jdbc:postgresql:///shop                                       | localhost:5432                  | shop      | null     | null
					jdbc:postgresql:shop                                          | localhost:5432                  | shop      | null     | null
					jdbc:postgresql:shop?user=app&password=secret                 | localhost:5432                  | shop      | app      | secret
					""")
	void parseReadsHostsDatabaseAndCredentials(String url, String hosts, String database, String username,
			String password) {
		ClusterSpec spec = ClusterUrlParser.parse(PROPERTY, url);
		assertThat(spec.hosts().stream().map(HostAndPort::toString)).containsExactly(hosts.split(","));
		assertThat(spec.database()).isEqualTo(database);
		assertThat(spec.username()).isEqualTo(username);
		assertThat(spec.password()).isEqualTo(password);
		assertThat(spec.property()).isEqualTo(PROPERTY);
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', quoteCharacter = '"', nullValues = "null", textBlock = """
			# url                                                      | read target
			postgresql://pg1/shop                                      | null
			postgresql://pg1/shop?target_session_attrs=any             | ANY
			postgresql://pg1/shop?target_session_attrs=read-write      | PRIMARY
			postgresql://pg1/shop?target_session_attrs=primary         | PRIMARY
			postgresql://pg1/shop?target_session_attrs=read-only       | STANDBY
			postgresql://pg1/shop?target_session_attrs=standby         | STANDBY
			postgresql://pg1/shop?target_session_attrs=prefer-standby  | PREFER_STANDBY
			postgresql://pg1/shop?target_session_attrs=prefer-primary  | PREFER_PRIMARY
			jdbc:postgresql://h1/shop                                  | null
			jdbc:postgresql://h1/shop?targetServerType=any             | ANY
			jdbc:postgresql://h1/shop?targetServerType=primary         | PRIMARY
			jdbc:postgresql://h1/shop?targetServerType=master          | PRIMARY
			jdbc:postgresql://h1/shop?targetServerType=secondary       | STANDBY
			jdbc:postgresql://h1/shop?targetServerType=slave           | STANDBY
			jdbc:postgresql://h1/shop?targetServerType=preferSecondary | PREFER_STANDBY
			jdbc:postgresql://h1/shop?targetServerType=preferSlave     | PREFER_STANDBY
			jdbc:postgresql://h1/shop?targetServerType=preferPrimary   | PREFER_PRIMARY
			jdbc:postgresql://h1/shop?target_session_attrs=read-only   | STANDBY
			jdbc:postgresql://h1/shop?targetServerType=primary&target_session_attrs=read-write | PRIMARY
			""")
	void parseReadsReadTargetAndConsumesIt(String url, ReadTarget readTarget) {
		ClusterSpec spec = ClusterUrlParser.parse(PROPERTY, url);
		assertThat(spec.readTarget()).isEqualTo(readTarget);
		assertThat(spec.driverProperties()).doesNotContainKeys("target_session_attrs", "targetServerType");
		assertThat(spec.warnings()).isEmpty();
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', quoteCharacter = '"', nullValues = "null",
			textBlock = """
					# query of postgresql://pg1/shop or the jdbc URL        | driver properties                                  | parameters warned about
					?sslmode=verify-full&sslrootcert=/etc/ca.pem&sslcert=c.pem&sslkey=k.pk8&sslpassword=kp | {sslmode=verify-full, sslrootcert=/etc/ca.pem, sslcert=c.pem, sslkey=k.pk8, sslpassword=kp} | null
					?connect_timeout=10&application_name=shop&options=-c%20search_path%3Dshop%2Bx | {connectTimeout=10, ApplicationName=shop, options=-c search_path=shop+x} | null
					?keepalives=1                                             | {tcpKeepAlive=true}                                 | null
					?keepalives=0                                             | {tcpKeepAlive=false}                                | null
					?gssencmode=disable&channel_binding=require&sslnegotiation=direct | {gssEncMode=disable, channelBinding=require, sslNegotiation=direct} | null
					?require_auth=scram-sha-256&krbsrvname=postgres&gsslib=gssapi | {requireAuth=scram-sha-256, kerberosServerName=postgres, gsslib=gssapi} | null
					?fallback_application_name=fb                             | {ApplicationName=fb}                                | null
					?fallback_application_name=fb&application_name=app        | {ApplicationName=app}                               | null
					?load_balance_hosts=random&target_session_attrs=any       | {}                                                  | null
					?passfile=/p&keepalives_idle=30&keepalives_interval=5&keepalives_count=3&tcp_user_timeout=9 | {} | passfile,keepalives_idle,keepalives_interval,keepalives_count,tcp_user_timeout
					?sslmode=require&client_encoding=LATIN1&replication=database&service=shop | {sslmode=require} | client_encoding,replication,service
					?hostaddr=10.0.0.1&sslcrl=crl.pem&loadBalanceHosts=true&foo=bar | {}                                          | hostaddr,sslcrl,loadBalanceHosts,foo
					jdbc:postgresql://h1/shop?ssl=true&sslmode=require&ApplicationName=x&prepareThreshold=0 | {ssl=true, sslmode=require, ApplicationName=x, prepareThreshold=0} | null
					jdbc:postgresql://h1/shop?options=-c+search_path%3Dshop&tcpKeepAlive | {options=-c search_path=shop, tcpKeepAlive=}   | null
					jdbc:postgresql://h1/shop?loadBalanceHosts=true&targetServerType=any&user=u&password=p | {}                  | null
					jdbc:postgresql://h1/shop?PGHOST=x&PGPORT=1&PGDBNAME=y&connectTimeout=5 | {connectTimeout=5}                 | PGHOST,PGPORT,PGDBNAME
					""")
	void parseTranslatesParameters(String query, String driverProperties, String warned) {
		String url = query.startsWith("?") ? "postgresql://pg1/shop" + query : query;
		ClusterSpec spec = ClusterUrlParser.parse(PROPERTY, url);
		assertThat(spec.driverProperties()).hasToString(driverProperties);
		List<String> expected = (warned != null) ? Arrays.asList(warned.split(",")) : List.of();
		assertThat(spec.warnings()).hasSize(expected.size());
		for (int i = 0; i < expected.size(); i++) {
			assertThat(spec.warnings().get(i)).startsWith("Parameter '" + expected.get(i) + "' of tandem.url ")
				.endsWith(" and is ignored.");
		}
	}

	@Test
	void parseWarnsInOneSentencePerDroppedParameter() {
		ClusterSpec spec = ClusterUrlParser.parse("tandem.writer.url",
				"postgresql://pg1/shop?passfile=/p&client_encoding=UTF8&sslpasswordx=1");
		assertThat(spec.warnings()).containsExactly(
				"Parameter 'passfile' of tandem.writer.url has no pgjdbc equivalent and is ignored.",
				"Parameter 'client_encoding' of tandem.writer.url has no pgjdbc equivalent (pgjdbc always uses UTF8) and is ignored.",
				"Parameter 'sslpasswordx' of tandem.writer.url is not a libpq connection parameter and is ignored.");
	}

	@Test
	void parseKeepsParameterOrderInDriverProperties() {
		ClusterSpec spec = ClusterUrlParser.parse(PROPERTY,
				"jdbc:postgresql://h1/shop?socketTimeout=30&ssl=true&ApplicationName=a&connectTimeout=5");
		assertThat(spec.driverProperties().keySet()).containsExactly("socketTimeout", "ssl", "ApplicationName",
				"connectTimeout");
	}

	@Test
	void parseMasksPasswordsInMaskedUrl() {
		ClusterSpec spec = ClusterUrlParser.parse(PROPERTY,
				"postgresql://app:s3cr3t!@pg1,pg2/shop?password=s3cr3t!&sslpassword=k3y&sslmode=require");
		assertThat(spec.maskedUrl())
			.isEqualTo("postgresql://app:****@pg1,pg2/shop?password=****&sslpassword=****&sslmode=require");
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', quoteCharacter = '"',
			textBlock = """
					# url                                                                  | fault
					postgresql://app:s3cr3t!@pg1:abc/shop                                  | port 'abc' of host 'pg1' is not a number
					postgresql://app:s3cr3t!@pg1,pg2:-1/shop                               | port '-1' of host 'pg2' is not a number
					postgresql://app:s3cr3t!@pg1:70000/shop                                | port 70000 of host 'pg1' is out of range 1..65535
					postgresql://app:s3cr3t!@pg1:0/shop                                    | port 0 of host 'pg1' is out of range 1..65535
					jdbc:postgresql://pg1:99999999999/shop?password=s3cr3t!                | port 99999999999 of host 'pg1' is out of range 1..65535
					postgresql:///shop?host=h1&port=x&password=s3cr3t!                     | port 'x' of host 'h1' is not a number
					postgresql://app:s3cr3t!@[::1:5432/shop                                | unclosed '[' in host '[::1:5432'
					postgresql://app:s3cr3t!@[::1]5432/shop                                | unexpected '5432' after ']' in host '[::1]5432'
					postgresql://app:s3cr3t!@::1/shop                                      | IPv6 address '::1' must be enclosed in brackets
					jdbc:postgresql://fe80::1:5432/shop?password=s3cr3t!                   | IPv6 address 'fe80::1:5432' must be enclosed in brackets
					postgresql://app:s3cr3t!@h1,,h2/shop                                   | empty host in host list 'h1,,h2'
					postgresql://app:s3cr3t!@:5432/shop                                    | empty host in host list ':5432'
					postgresql://app:s3cr3t!@h1,/shop                                      | empty host in host list 'h1,'
					postgresql:///shop?host=h1,,h2&password=s3cr3t!                        | empty host in parameter host 'h1,,h2'
					postgresql:///shop?host=h1,h2,h3&port=1,2&password=s3cr3t!             | could not match 2 port numbers to 3 hosts
					postgresql://app:s3cr3t!@%2Fvar%2Frun%2Fpostgresql/shop                | host '/var/run/postgresql' is a Unix-domain socket directory
					jdbc:mysql://app:s3cr3t!@h1/shop                                       | unknown scheme 'jdbc:mysql'; expected postgresql://, postgres:// or jdbc:postgresql://
					http://app:s3cr3t!@h1/shop                                             | unknown scheme 'http'; expected postgresql://, postgres:// or jdbc:postgresql://
					app:s3cr3t!@h1/shop                                                    | missing scheme; expected postgresql://, postgres:// or jdbc:postgresql://
					postgresql://app:s3cr3t!@h1/shop?target_session_attrs=readonly        | unknown target_session_attrs 'readonly'; valid values are any, read-write, read-only, primary, standby, prefer-standby, prefer-primary
					jdbc:postgresql://h1/shop?password=s3cr3t!&targetServerType=replica    | unknown targetServerType 'replica'; valid values are any, primary, master, secondary, slave, preferSecondary, preferSlave, preferPrimary
					jdbc:postgresql://h1/shop?targetServerType=primary&target_session_attrs=standby&password=s3cr3t! | targetServerType and target_session_attrs ask for different read targets (primary, standby)
					postgresql://app:s3cr3t!@h1/shop?keepalives=yes                        | keepalives 'yes' is not a number
					postgresql://app:s3cr3t!@h1/shop?sslmode                               | parameter 'sslmode' has no '=' and value
					postgresql://app:s3cr3t!@h1/sh%zzop                                    | invalid percent-encoding in the database name
					postgresql://app:s3cr3t%21%zz@h1/shop                                  | invalid percent-encoding in the password
					postgresql://app:s3cr3t!?x@h1:bad/shop                                 | percent-encode a '?' in the password as %3F
					postgresql://app:s3cr3t!?x=1@h1/shop                                   | percent-encode a '?' in the password as %3F
					""")
	void parseRejectsInvalidUrl(String url, String fault) {
		String maskedUrl = url.replaceAll("s3cr3t[^@&]*", "****");
		assertThatExceptionOfType(InvalidClusterUrlException.class)
			.isThrownBy(() -> ClusterUrlParser.parse(PROPERTY, url))
			.satisfies((ex) -> {
				assertThat(ex.getMessage()).contains(PROPERTY, "'" + maskedUrl + "'", fault)
					.startsWith(PROPERTY + " '" + maskedUrl + "' is invalid: ")
					.doesNotContain("s3cr3t");
				assertThat(ex.property()).isEqualTo(PROPERTY);
				assertThat(ex.maskedUrl()).isEqualTo(maskedUrl);
				assertThat(ex.fault()).contains(fault).doesNotContain("s3cr3t");
			});
	}

	// Issue 13, items 2 to 5: URLs that parse into something other than what they say, or
	// that failed with an exception other than InvalidClusterUrlException.
	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', quoteCharacter = '"',
			textBlock = """
					# url                                                              | masked url                                        | fault
					jdbc:postgresql://user:?S3CR@host/db                               | jdbc:postgresql://user:****@host/db               | percent-encode a '?' in the password as %3F
					postgresql://user:?S3CR=x@host/db                                  | postgresql://user:****@host/db                    | percent-encode a '?' in the password as %3F
					postgresql://user:1234?abS3CR=cd@host/db                           | postgresql://user:****@host/db                    | percent-encode a '?' in the password as %3F
					postgresql://u:a@b?S3CR@h1/db                                      | postgresql://u:****@h1/db                         | percent-encode a '?' in the password as %3F
					postgresql://us?erS3CR@h1/db                                       | postgresql://****@h1/db                           | percent-encode a '?' in the password as %3F
					postgresql://h1:5432?password=S3CR@b                               | postgresql://h1:****@****                         | an '@' in a parameter value as %40
					jdbc:postgresql:shop?password=S3CR@b                               | jdbc:postgresql:****@****                         | an '@' in a parameter value as %40
					jdbc:postgresql://h:1/d?user=a@y&password=S3CR%1&ssl=true          | jdbc:postgresql://h:****@y&password=****&ssl=****  | percent-encode a '?' in the password as %3F
					postgresql://u:?x@h1/db?password=S3CR&sslmode=require              | postgresql://u:****@h1/db?password=****&sslmode=**** | percent-encode a '?' in the password as %3F
					postgresql://h1:5432?password=a&@S3CR&sslmode=require              | postgresql://h1:****@****&sslmode=****            | an '@' in a parameter value as %40
					postgresql://?oauth_client_secret=S3CR?&host=h1:2&x=@y             | postgresql://?oauth_client_secret=****&host=h1:****@y | an '@' in a parameter value as %40
					postgresql://pg1/db?password=S3CR&tail                             | postgresql://pg1/db?password=****&****            | the parameter after 'password' has no '=' or is not a libpq parameter
					postgresql://pg1/db?password=S3CR&tail=x&sslmode=require           | postgresql://pg1/db?password=****&****&sslmode=require | percent-encode an '&' in its value as %26
					postgresql://pg1/db?sslpassword=S3CR&&tail=S3CR&x=S3CR             | postgresql://pg1/db?sslpassword=****&&****&****   | the parameter after 'sslpassword'
					jdbc:postgresql://pg1/db?password=S3CR&tail                        | jdbc:postgresql://pg1/db?password=****&****       | the parameter after 'password' has no '=' or is not a pgjdbc property
					jdbc:postgresql://pg1/db?password=S3CR&tail=x&ssl=true             | jdbc:postgresql://pg1/db?password=****&****&ssl=true | the parameter after 'password'
					postgresql://pg1/db?password%=S3CR                                 | postgresql://pg1/db?password%=****                | invalid percent-encoding in a parameter name
					jdbc:postgresql:u:S3CR@db                                          | jdbc:postgresql:u:****@db                         | without '//' names a database only
					jdbc:postgresql:h1:5432/db                                         | jdbc:postgresql:h1:5432/db                        | without '//' names a database only
					postgresql://h1%2Fx%3FsslMode%3Ddisable%26a/db?sslmode=verify-full | postgresql://h1%2Fx%3FsslMode%3Ddisable%26a/db?sslmode=verify-full | host 'h1/x?sslMode=disable&a' is not a host name or IPv4 address
					jdbc:postgresql://h1%2Fx/db                                        | jdbc:postgresql://h1%2Fx/db                       | host 'h1%2Fx' is not a host name or IPv4 address
					postgresql://%20/db                                                | postgresql://%20/db                               | host ' ' is not a host name or IPv4 address
					postgresql://h%201/db                                              | postgresql://h%201/db                             | host 'h 1' is not a host name or IPv4 address
					postgresql://-h1/db                                                | postgresql://-h1/db                               | host '-h1' is not a host name or IPv4 address
					postgresql://10.0.0.256/db                                         | postgresql://10.0.0.256/db                        | host '10.0.0.256' is not a host name or IPv4 address
					postgresql://[::g]/db                                              | postgresql://[::g]/db                             | '[::g]' is not an IPv6 address
					postgresql://[h1]:5432/db                                          | postgresql://[h1]:5432/db                         | '[h1]' is not an IPv6 address
					postgresql://h:5432:5433/db                                        | postgresql://h:5432:5433/db                       | host 'h:5432:5433' has more than one ':'
					postgresql:///db?host=h1:5433                                      | postgresql:///db?host=h1:5433                     | host 'h1:5433' in parameter host is neither a host name nor an IPv6 address; give ports in parameter port
					postgresql:///db?host=%5B::1                                       | postgresql:///db?host=%5B::1                      | unclosed '[' in parameter host '[::1'
					postgresql:///db?host=h%201                                        | postgresql:///db?host=h%201                       | host 'h 1' in parameter host is neither a host name nor an IPv6 address
					postgresql:///db?host=[h1]                                         | postgresql:///db?host=[h1]                        | '[h1]' in parameter host is not an IPv6 address
					postgresql://pg1/db?port=                                          | postgresql://pg1/db?port=                         | parameter port is empty
					postgresql://pg1/db?port=%20                                       | postgresql://pg1/db?port=%20                      | parameter port is empty
					""")
	void parseRefusesUrlThatSaysSomethingElse(String url, String maskedUrl, String fault) {
		assertThatExceptionOfType(InvalidClusterUrlException.class)
			.isThrownBy(() -> ClusterUrlParser.parse(PROPERTY, url))
			.satisfies((ex) -> {
				assertThat(ex.getMessage()).startsWith(PROPERTY + " '" + maskedUrl + "' is invalid: ")
					.contains(fault)
					.doesNotContain("S3CR");
				assertThat(ex.maskedUrl()).isEqualTo(maskedUrl);
				assertThat(ex.fault()).doesNotContain("S3CR");
			});
	}

	@Test
	void parseDoesNotCallHostWithSeveralColonsAnIpv6Address() {
		assertThatExceptionOfType(InvalidClusterUrlException.class)
			.isThrownBy(() -> ClusterUrlParser.parse(PROPERTY, "postgresql://h:5432:5433/db"))
			.satisfies((ex) -> assertThat(ex.fault()).startsWith("host 'h:5432:5433' has more than one ':'")
				.doesNotContain("IPv6 address 'h"));
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', quoteCharacter = '"', nullValues = "null",
			textBlock = """
					# url                                                                         | hosts                       | username
					jdbc:postgresql://h1:5432/db?user=app@server&password=pw&sslmode=require      | h1:5432                     | app@server
					postgresql://h1:5432/db?user=app@server&password=pw                           | h1:5432                     | app@server
					postgresql://u:pw@h1/db?application_name=a@b                                  | h1:5432                     | u
					postgresql://[fe80::1%25eth0]:5433,[::ffff:10.0.0.1]/db                       | [fe80::1%eth0]:5433,[::ffff:10.0.0.1]:5432 | null
					jdbc:postgresql://[fe80::1%eth0]:5433/db                                      | [fe80::1%eth0]:5433         | null
					postgresql://my_db-1.svc.cluster.local.,10.0.0.1,LOCALHOST/db                 | my_db-1.svc.cluster.local.:5432,10.0.0.1:5432,LOCALHOST:5432 | null
					postgresql:///db?host=::1,[2001:db8::1:2],h-3&port=1,2,3                      | [::1]:1,[2001:db8::1:2]:2,h-3:3 | null
					postgresql://pg1/db?password=pw&sslmode=require&user=u                        | pg1:5432                    | u
					jdbc:postgresql://pg1/db?password=pw&ssl=true&user=u                          | pg1:5432                    | u
					""")
	void parseAcceptsWhatIsUnambiguous(String url, String hosts, String username) {
		ClusterSpec spec = ClusterUrlParser.parse(PROPERTY, url);
		assertThat(spec.hosts().stream().map(HostAndPort::toString)).containsExactly(hosts.split(","));
		assertThat(spec.username()).isEqualTo(username);
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "   " })
	void parseRejectsBlankUrl(String url) {
		assertThatExceptionOfType(InvalidClusterUrlException.class)
			.isThrownBy(() -> ClusterUrlParser.parse(PROPERTY, url))
			.withMessage("tandem.url '' is invalid: the URL is empty; "
					+ "expected postgresql://, postgres:// or jdbc:postgresql://");
	}

	@Test
	void parseNeverPutsPasswordInWarnings() {
		ClusterSpec spec = ClusterUrlParser.parse(PROPERTY,
				"postgresql://app:s3cr3t!@pg1/shop?passfile=/p&foo=bar&password=s3cr3t!");
		assertThat(spec.warnings().stream().collect(Collectors.joining())).doesNotContain("s3cr3t");
		assertThat(spec.toString()).doesNotContain("s3cr3t");
	}

}

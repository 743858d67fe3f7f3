package dev.tandem.pool;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tandem.pool.LoginRecorder.Login;
import dev.tandem.topology.JdbcNodeProbe;
import dev.tandem.url.ClusterSpec;
import dev.tandem.url.ClusterUrlParser;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link TandemPools} that need no server: what the pools log and what they
 * send to log in.
 */
class TandemPoolsTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	// Issue 13, item 6: HikariCP 7 logs dataSourceProperties at DEBUG and masks only the
	// key "password"; sslpassword and other secrets were printed in full.
	@ParameterizedTest
	@ValueSource(strings = {
			"jdbc:postgresql://127.0.0.1:1/db?user=u&password=S3CR&sslpassword=S3CR&sslmode=disable&apiKey=S3CR&sslkey=/k.pk8",
			"postgresql://u:S3CR@127.0.0.1:1/db?sslpassword=S3CR&sslmode=disable&scram_client_key=S3CR" })
	void hikariConfigurationDumpShowsNoSecret(String url) {
		Logger logger = (Logger) LoggerFactory.getLogger(HikariConfig.class);
		Level level = logger.getLevel();
		ListAppender<ILoggingEvent> appender = new ListAppender<>();
		appender.start();
		logger.addAppender(appender);
		logger.setLevel(Level.DEBUG);
		ClusterSpec spec = ClusterUrlParser.parse("tandem.url", url);
		try (TandemPools pools = new TandemPools(spec, spec, (config) -> {
		}, (config) -> {
		}, PoolFailureListener.NONE)) {
			HikariDataSource reader = pools.reader(spec.hosts().get(0));
			String dump = appender.list.stream()
				.map(ILoggingEvent::getFormattedMessage)
				.collect(Collectors.joining("\n"));
			assertThat(dump).contains("tandem-writer - configuration", "tandem-reader-127.0.0.1-1 - configuration",
					"sslmode=disable");
			assertThat(dump).doesNotContain("S3CR");
			for (HikariDataSource pool : List.of(pools.writer(), reader)) {
				assertThat(pool.getDataSourceProperties()).containsEntry("sslmode", "disable")
					.doesNotContainKeys("password", "sslpassword", "apiKey")
					.doesNotContainValue("S3CR");
				assertThat(pool.getPassword()).isNull();
			}
		}
		finally {
			logger.detachAppender(appender);
			logger.setLevel(level);
		}
	}

	// Issue 13, item 7: with no user name in the URL, HikariCP passed no password to the
	// writer's connection source while the readers and the probe sent it.
	@ParameterizedTest
	@ValueSource(strings = { "jdbc:postgresql://127.0.0.1:%d/db?password=S3CR", "postgresql://:S3CR@127.0.0.1:%d/db",
			"postgresql://app:S3CR@127.0.0.1:%d/db" })
	void writerReadersAndProbeLogInWithTheSameCredentials(String url) throws Exception {
		Login writer;
		Login reader;
		try (LoginRecorder server = new LoginRecorder()) {
			ClusterSpec spec = ClusterUrlParser.parse("tandem.url", url.formatted(server.port()));
			try (TandemPools pools = new TandemPools(spec, spec, (config) -> {
			}, (config) -> {
			}, PoolFailureListener.NONE)) {
				pools.reader(spec.hosts().get(0));
				writer = server.await((login) -> !login.readOnly(), WAIT);
				reader = server.await(Login::readOnly, WAIT);
			}
		}
		Login probe;
		try (LoginRecorder server = new LoginRecorder()) {
			ClusterSpec spec = ClusterUrlParser.parse("tandem.url", url.formatted(server.port()));
			try (JdbcNodeProbe check = new JdbcNodeProbe((host) -> spec, Duration.ofSeconds(2))) {
				check.check(spec.hosts().get(0));
				probe = server.await((login) -> true, WAIT);
			}
		}
		for (Login login : List.of(writer, reader, probe)) {
			assertThat(login.password()).as("password of %s", login.parameters()).isEqualTo("S3CR");
			assertThat(login.parameters().get("user")).isEqualTo(writer.parameters().get("user"));
		}
	}

}

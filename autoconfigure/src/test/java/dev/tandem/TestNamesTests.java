package dev.tandem;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Holds the naming convention that {@code -Dtandem.tests=fast} relies on: a test class
 * that starts a server (a PostgreSQL cluster or a Redis of the testkit, directly or
 * through a shared helper) is named {@code *IntegrationTests}; every other {@code *Tests}
 * class needs no server. Reads the sources: an ArchUnit import of the test classes takes
 * seconds, this takes milliseconds.
 */
class TestNamesTests {

	private static final Path SOURCES = Path.of("src/test/java");

	/** What only a test that starts servers uses. */
	private static final Pattern SERVERS = Pattern.compile(
			"\\bdev\\.tandem\\.testkit\\.|\\bRedisTestSupport\\b|\\bClusterWork\\b|\\bextends \\w+IntegrationTests\\b");

	@Test
	void onlyIntegrationTestsStartServers() throws IOException {
		assertThat(SOURCES).isDirectory();
		List<Path> tests;
		try (Stream<Path> files = Files.walk(SOURCES)) {
			tests = files.filter((file) -> file.getFileName().toString().endsWith("Tests.java"))
				.filter((file) -> !file.getFileName().toString().endsWith("IntegrationTests.java"))
				.toList();
		}
		assertThat(tests).as("test classes found").hasSizeGreaterThan(10);
		assertThat(tests).as("*Tests classes that start servers; name them *IntegrationTests")
			.filteredOn((file) -> SERVERS.matcher(read(file)).find())
			.isEmpty();
	}

	private static String read(Path file) {
		try {
			return Files.readString(file);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}

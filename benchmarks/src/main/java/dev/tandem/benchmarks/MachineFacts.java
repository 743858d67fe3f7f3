package dev.tandem.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Collectors;

import dev.tandem.testkit.PostgresNode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.SpringBootVersion;
import org.springframework.core.SpringVersion;

/**
 * What the run ran on: hardware, operating system, JVM, servers and library versions.
 */
final class MachineFacts {

	private final Map<String, String> facts = new LinkedHashMap<>();

	private MachineFacts() {
	}

	/**
	 * Collects what the JVM and the classpath know.
	 * @return the facts
	 */
	static MachineFacts collect() {
		MachineFacts machine = new MachineFacts();
		machine.put("CPU", cpuModel().orElse("unknown") + ", " + Runtime.getRuntime().availableProcessors()
				+ " cores available to the JVM");
		machine.put("Memory", memory());
		machine.put("Load average (1, 5, 15 min) at start", loadAverage());
		machine.put("OS", osName() + " (" + System.getProperty("os.name") + " " + System.getProperty("os.version")
				+ ", " + System.getProperty("os.arch") + ")");
		machine.put("JVM",
				System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version") + " ("
						+ System.getProperty("java.vm.vendor") + "), max heap "
						+ Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MB");
		machine.put("JVM options", jvmOptions());
		machine.put("Spring Boot", SpringBootVersion.getVersion());
		machine.put("Spring Framework", SpringVersion.getVersion());
		machine.put("HikariCP", mavenVersion("com.zaxxer", "HikariCP"));
		machine.put("pgjdbc", org.postgresql.util.DriverInfo.DRIVER_VERSION);
		machine.put("Lettuce", mavenVersion("io.lettuce", "lettuce-core"));
		return machine;
	}

	/**
	 * Adds the PostgreSQL server's {@code SELECT version()}.
	 * @param node a running node
	 */
	void postgres(PostgresNode node) {
		try (Connection connection = node.connect();
				Statement statement = connection.createStatement();
				ResultSet rs = statement.executeQuery("SELECT version()")) {
			rs.next();
			put("PostgreSQL", rs.getString(1));
		}
		catch (SQLException ex) {
			put("PostgreSQL", "unknown (" + ex.getMessage() + ")");
		}
	}

	/**
	 * Adds the Redis server's version, from {@code INFO server}.
	 * @param url the server's URL
	 */
	void redis(String url) {
		RedisClient client = RedisClient.create(url);
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			String info = connection.sync().info("server");
			put("Redis",
					info.lines()
						.filter((line) -> line.startsWith("redis_version:"))
						.map((line) -> line.substring("redis_version:".length()).trim())
						.findFirst()
						.orElse("unknown"));
		}
		finally {
			client.shutdown();
		}
	}

	/**
	 * The load averages over 1, 5 and 15 minutes, as the kernel reports them: other work
	 * on a shared machine shows here.
	 * @return the load averages, or "unknown"
	 */
	static String loadAverage() {
		return read("/proc/loadavg").map((text) -> String.join(" ", List.of(text.trim().split("\\s+")).subList(0, 3)))
			.orElse("unknown");
	}

	/**
	 * The options the JVM was started with, system properties left out: a JIT limited to
	 * its first tier (as {@code spring-boot:run} sets unless told not to) would make
	 * every figure a figure of code that production does not run.
	 */
	private static String jvmOptions() {
		String options = ManagementFactory.getRuntimeMXBean()
			.getInputArguments()
			.stream()
			.filter((argument) -> !argument.startsWith("-D"))
			.collect(Collectors.joining(" "));
		return options.isEmpty() ? "none" : options;
	}

	void put(String name, @Nullable String value) {
		this.facts.put(name, (value != null) ? value : "unknown");
	}

	Map<String, String> asMap() {
		return this.facts;
	}

	private static Optional<String> cpuModel() {
		return read("/proc/cpuinfo").flatMap((text) -> text.lines()
			.filter((line) -> line.startsWith("model name"))
			.map((line) -> line.substring(line.indexOf(':') + 1).trim())
			.findFirst());
	}

	private static String osName() {
		return read("/etc/os-release")
			.flatMap((text) -> text.lines()
				.filter((line) -> line.startsWith("PRETTY_NAME="))
				.map((line) -> line.substring("PRETTY_NAME=".length()).replace("\"", ""))
				.findFirst())
			.orElse(System.getProperty("os.name"));
	}

	private static String memory() {
		OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
		if (os instanceof com.sun.management.OperatingSystemMXBean bean) {
			return bean.getTotalMemorySize() / (1024 * 1024) + " MB";
		}
		return "unknown";
	}

	private static Optional<String> read(String file) {
		try {
			return Optional.of(Files.readString(Path.of(file)));
		}
		catch (IOException ex) {
			return Optional.empty();
		}
	}

	private static @Nullable String mavenVersion(String group, String artifact) {
		try (InputStream in = MachineFacts.class.getClassLoader()
			.getResourceAsStream("META-INF/maven/" + group + "/" + artifact + "/pom.properties")) {
			if (in == null) {
				return null;
			}
			Properties properties = new Properties();
			properties.load(in);
			return properties.getProperty("version");
		}
		catch (IOException ex) {
			return null;
		}
	}

}

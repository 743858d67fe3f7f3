package dev.tandem.sample;

import java.util.Arrays;

import dev.tandem.testkit.PostgresCluster;

/**
 * Runs the sample on an embedded cluster (a local primary and two streaming standbys from
 * the testkit) unless {@code tandem.url} or {@code DATABASE_URL} names a real one.
 * Started by {@code ./mvnw -pl sample-app -am test-compile spring-boot:test-run}.
 */
public final class TestSampleApplication {

	private TestSampleApplication() {
	}

	public static void main(String[] args) {
		if (clusterConfigured(args)) {
			SampleApplication.main(args);
			return;
		}
		PostgresCluster cluster = PostgresCluster.builder().name("sample").standbys(2).start();
		Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "tandem-sample-cluster-stop"));
		String[] withUrl = Arrays.copyOf(args, args.length + 1);
		withUrl[args.length] = "--tandem.url=" + cluster.libpqUrl();
		SampleApplication.main(withUrl);
	}

	private static boolean clusterConfigured(String[] args) {
		return System.getenv("DATABASE_URL") != null || System.getenv("TANDEM_URL") != null
				|| System.getProperty("tandem.url") != null
				|| Arrays.stream(args).anyMatch((arg) -> arg.startsWith("--tandem.url="));
	}

}

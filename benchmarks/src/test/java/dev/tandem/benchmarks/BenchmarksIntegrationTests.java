package dev.tandem.benchmarks;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The benchmark command in its quickest form, into a temporary folder: the report and the
 * charts are written with a row per candidate, and what the scenarios must show holds.
 * Timings are not asserted: this machine is shared.
 */
class BenchmarksIntegrationTests {

	@TempDir
	Path output;

	@Test
	void quickRunWritesTheReportAndReadYourWritesHoldsWhereItShould() throws Exception {
		Options options = Options.parse("--quick", "--scenarios=overhead,read-your-writes,failover",
				"--output=" + this.output);
		Results results = Benchmarks.run(options);
		Report.write(results, options.output());

		for (String file : Report.files()) {
			assertThat(this.output.resolve(file)).isNotEmptyFile();
		}
		for (String chart : List.of(OverheadScenario.NAME, ReadYourWritesScenario.NAME, FailoverScenario.NAME)) {
			assertReadablePng(this.output.resolve(chart + ".png"));
		}
		String report = Files.readString(this.output.resolve(Report.FILE));
		assertThat(report).contains("PostgreSQL 18", "Spring Boot", "HikariCP", "pgjdbc");
		for (String candidate : OverheadScenario.CANDIDATES) {
			assertThat(report).contains("| " + candidate + " |");
			assertThat(results.overhead().table().rows())
				.anySatisfy((row) -> assertThat(row.get(0)).isEqualTo(candidate));
		}
		assertThat(results.overhead().errors()).isZero();

		ReadYourWritesScenario.Result readYourWrites = results.readYourWrites();
		assertThat(readYourWrites.table().rows()).extracting((row) -> row.get(0))
			.containsExactlyElementsOf(ReadYourWritesScenario.CANDIDATES);
		for (String candidate : ReadYourWritesScenario.CANDIDATES) {
			assertThat(readYourWrites.cycles(candidate)).as("cycles of %s", candidate).isPositive();
		}
		assertThat(readYourWrites.stale(Candidates.TANDEM_LSN)).isZero();
		assertThat(readYourWrites.stale(Candidates.TANDEM_TTL)).isZero();
		assertThat(readYourWrites.onStandby(Candidates.TANDEM_LSN)).isPositive();
		assertThat(readYourWrites.onStandby(Candidates.SPRING)).isPositive();
		assertThat(readYourWrites.stale(Candidates.SPRING)).isPositive();
		assertThat(readYourWrites.onStandby(Candidates.FLOOR)).isZero();
		assertThat(readYourWrites.stale(Candidates.FLOOR)).isZero();
		assertThat(report).contains("Read-your-writes with healthy replication");
		for (ReadYourWritesScenario.Healthy healthy : ReadYourWritesScenario.Healthy.values()) {
			assertThat(readYourWrites.healthyTable().rows()).filteredOn((row) -> row.get(1).equals(healthy.label()))
				.extracting((row) -> row.get(0))
				.containsExactlyElementsOf(ReadYourWritesScenario.CANDIDATES);
			for (String candidate : ReadYourWritesScenario.CANDIDATES) {
				assertThat(readYourWrites.cycles(healthy, candidate)).as("cycles of %s, %s", candidate, healthy)
					.isPositive();
			}
			assertThat(readYourWrites.stale(healthy, Candidates.TANDEM_LSN)).as("stale, %s", healthy).isZero();
			assertThat(readYourWrites.stale(healthy, Candidates.TANDEM_TTL)).as("stale, %s", healthy).isZero();
			assertThat(readYourWrites.stale(healthy, Candidates.FLOOR)).as("stale, %s", healthy).isZero();
			assertThat(readYourWrites.onStandby(healthy, Candidates.FLOOR)).as("on standbys, %s", healthy).isZero();
		}

		FailoverScenario.Result failover = results.failover();
		assertThat(failover.cases()).containsOnlyKeys(FailoverScenario.CASES);
		for (FailoverScenario.Case failureCase : FailoverScenario.CASES) {
			assertThat(failover.table(failureCase).rows()).extracting((row) -> row.get(0))
				.containsExactlyElementsOf(FailoverScenario.CANDIDATES);
			assertThat(report).contains(failureCase.label());
			// Within the trial the primary is back or replaced in every case.
			assertThat(failover.recovered(failureCase, Candidates.TANDEM_OFF))
				.as("Tandem's writes after %s", failureCase.label())
				.isEqualTo(options.failoverPlan().trials());
		}
		for (FailoverScenario.Case outage : List.of(FailoverScenario.SHORT_OUTAGE, FailoverScenario.LONG_OUTAGE)) {
			// The floor's only node is the killed primary: no write can come back.
			assertThat(failover.recovered(outage, Candidates.FLOOR)).isZero();
		}
		// The frozen primary answers again after the thaw, even to the floor's pool.
		assertThat(failover.recovered(FailoverScenario.FROZEN_PRIMARY, Candidates.FLOOR))
			.isEqualTo(options.failoverPlan().trials());
	}

	private static void assertReadablePng(Path file) throws IOException {
		BufferedImage image = ImageIO.read(file.toFile());
		assertThat(image).as(file.toString()).isNotNull();
		assertThat(image.getWidth()).isGreaterThan(0);
	}

}

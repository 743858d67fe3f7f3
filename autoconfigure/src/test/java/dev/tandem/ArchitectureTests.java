package dev.tandem;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The package arrows of the architecture: no cycles, plain-Java packages stay plain, and
 * only the wiring and the observability package touch Spring Boot and Micrometer.
 */
class ArchitectureTests {

	private static final JavaClasses classes = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("dev.tandem");

	/**
	 * The arrows of ARCHITECTURE.md as one rule: each package may be used only by the
	 * packages above it. {@code wal} (WAL positions), {@code jdbc} (what the JDBC proxies
	 * share) and {@code url} are at the bottom; the public API ({@code dev.tandem}:
	 * annotations, {@code ReadZone}) is read by routing; the wiring is used by nothing.
	 */
	@Test
	void packagesUseOnlyThePackagesBelowThem() {
		layeredArchitecture().consideringOnlyDependenciesInLayers()
			.layer("api")
			.definedBy("dev.tandem")
			.layer("wal")
			.definedBy("dev.tandem.wal..")
			.layer("jdbc")
			.definedBy("dev.tandem.jdbc..")
			.layer("url")
			.definedBy("dev.tandem.url..")
			.layer("topology")
			.definedBy("dev.tandem.topology..")
			.layer("pool")
			.definedBy("dev.tandem.pool..")
			.layer("consistency")
			.definedBy("dev.tandem.consistency")
			.layer("redis")
			.definedBy("dev.tandem.consistency.redis..")
			.layer("routing")
			.definedBy("dev.tandem.routing..")
			.layer("actuate")
			.definedBy("dev.tandem.actuate..")
			.layer("autoconfigure")
			.definedBy("dev.tandem.autoconfigure..")
			.whereLayer("autoconfigure")
			.mayNotBeAccessedByAnyLayer()
			.whereLayer("actuate")
			.mayOnlyBeAccessedByLayers("autoconfigure")
			.whereLayer("routing")
			.mayOnlyBeAccessedByLayers("actuate", "autoconfigure")
			.whereLayer("redis")
			.mayOnlyBeAccessedByLayers("actuate", "autoconfigure")
			.whereLayer("consistency")
			.mayOnlyBeAccessedByLayers("redis", "routing", "actuate", "autoconfigure")
			.whereLayer("pool")
			.mayOnlyBeAccessedByLayers("routing", "actuate", "autoconfigure")
			.whereLayer("topology")
			.mayOnlyBeAccessedByLayers("routing", "actuate", "autoconfigure")
			.whereLayer("url")
			.mayOnlyBeAccessedByLayers("topology", "pool", "routing", "actuate", "autoconfigure")
			.whereLayer("api")
			.mayOnlyBeAccessedByLayers("routing", "autoconfigure")
			.check(classes);
	}

	@Test
	void packagesHaveNoCycles() {
		slices().matching("dev.tandem.(**)").should().beFreeOfCycles().check(classes);
	}

	@Test
	void urlAndTopologyImportNoSpring() {
		noClasses().that()
			.resideInAnyPackage("dev.tandem.url..", "dev.tandem.topology..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("org.springframework..")
			.check(classes);
	}

	@Test
	void urlDependsOnNoOtherTandemPackage() {
		noClasses().that()
			.resideInAPackage("dev.tandem.url..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("dev.tandem.topology..", "dev.tandem.pool..", "dev.tandem.routing..",
					"dev.tandem.autoconfigure..")
			.check(classes);
	}

	@Test
	void poolImportsNoSpringBoot() {
		noClasses().that()
			.resideInAPackage("dev.tandem.pool..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("org.springframework.boot..", "dev.tandem.routing..", "dev.tandem.autoconfigure..")
			.check(classes);
	}

	@Test
	void onlyAutoconfigureAndActuateImportSpringBoot() {
		noClasses().that()
			.resideOutsideOfPackages("dev.tandem.autoconfigure..", "dev.tandem.actuate..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("org.springframework.boot..")
			.check(classes);
	}

	@Test
	void actuateImportsNoAutoConfiguration() {
		noClasses().that()
			.resideInAPackage("dev.tandem.actuate..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("org.springframework.boot.autoconfigure..", "org.springframework.boot..autoconfigure..")
			.check(classes);
	}

	@Test
	void onlyAutoconfigureDependsOnActuate() {
		noClasses().that()
			.resideOutsideOfPackages("dev.tandem.autoconfigure..", "dev.tandem.actuate..")
			.should()
			.dependOnClassesThat()
			.resideInAPackage("dev.tandem.actuate..")
			.check(classes);
	}

	@Test
	void onlyAutoconfigureAndActuateImportMicrometer() {
		noClasses().that()
			.resideOutsideOfPackages("dev.tandem.autoconfigure..", "dev.tandem.actuate..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("io.micrometer..")
			.check(classes);
	}

	@Test
	void libraryCodeDoesNotDependOnTheWiring() {
		noClasses().that()
			.resideOutsideOfPackage("dev.tandem.autoconfigure..")
			.should()
			.dependOnClassesThat()
			.resideInAPackage("dev.tandem.autoconfigure..")
			.check(classes);
	}

	@Test
	void onlyRedisStoreAndWiringTouchSpringDataRedis() {
		noClasses().that()
			.resideOutsideOfPackages("dev.tandem.consistency.redis..", "dev.tandem.autoconfigure..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("org.springframework.data.redis..")
			.allowEmptyShould(true)
			.check(classes);
	}

}

package dev.tandem.benchmarks;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;

/**
 * The whole application of a Tandem candidate: auto-configuration only, no component
 * scan, so each candidate's context holds Tandem, Spring Boot's JDBC and Redis
 * configuration and nothing of the benchmarks.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
class TandemApplication {

}

package dev.tandem.benchmarks.checker;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;

/**
 * One application instance of the checker: Tandem's auto-configuration and nothing else.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
class CheckerApplication {

}

package dev.tandem.autoconfigure;

import com.zaxxer.hikari.HikariConfig;

/**
 * Customizes the HikariCP configuration of each of Tandem's pools (the writer, and each
 * reader when it is created) after {@code tandem.*.hikari.*} has been applied. The pool
 * name ({@link HikariConfig#getPoolName()}) tells which pool it is: {@code tandem-writer}
 * or {@code tandem-reader-<host>-<port>}.
 */
@FunctionalInterface
public interface TandemPoolCustomizer {

	/**
	 * Customizes one pool's configuration before the pool starts.
	 * @param config the configuration
	 */
	void customize(HikariConfig config);

}

/**
 * Connection pools: the writer pool over a multi-host URL and one read-only pool per
 * host, all HikariCP. No Spring Boot here.
 */
@NullMarked
package dev.tandem.pool;

import org.jspecify.annotations.NullMarked;

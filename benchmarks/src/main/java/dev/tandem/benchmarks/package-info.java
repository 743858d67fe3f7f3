/**
 * The benchmark command: Tandem side by side with the alternatives on a testkit cluster,
 * every candidate in one run, and the report it writes to {@code docs/benchmarks}.
 */
@NullMarked
package dev.tandem.benchmarks;

import org.jspecify.annotations.NullMarked;

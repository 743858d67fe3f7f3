/**
 * Positions in PostgreSQL's write-ahead log: what the topology reads from each node and
 * read-your-writes records and compares. No dependencies.
 */
@NullMarked
package dev.tandem.wal;

import org.jspecify.annotations.NullMarked;

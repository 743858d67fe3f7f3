/**
 * What Tandem's JDBC proxies share: a connection or metadata proxy that answers a few
 * calls itself and passes every other one to its target. No dependencies.
 */
@NullMarked
package dev.tandem.jdbc;

import org.jspecify.annotations.NullMarked;

/**
 * Routing: the routing {@code DataSource}, the thread-bound routing context, the advice
 * that reads Tandem's and Spring's annotations, and the choice of a standby.
 */
@NullMarked
package dev.tandem.routing;

import org.jspecify.annotations.NullMarked;

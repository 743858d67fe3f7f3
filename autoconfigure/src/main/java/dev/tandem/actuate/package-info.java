/**
 * Observability of Tandem: the per-node {@code tandem} health contributor, the
 * {@code tandem} Actuator endpoint, the Micrometer meters of {@link TandemMeters} and the
 * observations of {@link RouteObservationDocumentation}.
 */
@NullMarked
package dev.tandem.actuate;

import org.jspecify.annotations.NullMarked;

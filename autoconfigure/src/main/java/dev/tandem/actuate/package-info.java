/**
 * Observability of Tandem: the per-node {@code tandem} health contributor, the
 * {@code tandem} Actuator endpoint and the Micrometer meters of {@link TandemMeters}.
 */
@NullMarked
package dev.tandem.actuate;

import org.jspecify.annotations.NullMarked;

/**
 * Cluster topology: a probe per node, the judge of what each check found, the immutable
 * {@link dev.tandem.topology.TopologySnapshot} and the monitor that publishes it. Plain
 * Java: no Spring here.
 */
@NullMarked
package dev.tandem.topology;

import org.jspecify.annotations.NullMarked;

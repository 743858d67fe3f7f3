package dev.tandem.actuate;

import java.time.Duration;
import java.time.Instant;

import dev.tandem.topology.NodeStatus;
import dev.tandem.topology.TopologyMonitor;
import dev.tandem.url.HostAndPort;
import org.jspecify.annotations.Nullable;

/**
 * How a node's status is shown, the same in health, the endpoint and the meters.
 */
final class NodeFacts {

	private NodeFacts() {
	}

	/**
	 * The replay lag in seconds, with fractions.
	 * @param status the status
	 * @return the lag, or {@code null} when unknown
	 */
	static @Nullable Double lagSeconds(NodeStatus status) {
		Duration lag = status.replayLag();
		return (lag != null) ? seconds(lag) : null;
	}

	/**
	 * A node's smoothed round trip in milliseconds, with fractions.
	 * @param monitor the monitor that measures it
	 * @param node the node
	 * @return the round trip, or {@code null} when not measured yet
	 */
	static @Nullable Double roundTripMillis(TopologyMonitor monitor, HostAndPort node) {
		long nanos = monitor.roundTripNanos(node);
		return (nanos >= 0) ? Math.round(nanos / 1_000.0) / 1_000.0 : null;
	}

	static double seconds(Duration duration) {
		return duration.getSeconds() + duration.getNano() / 1_000_000_000.0;
	}

	/**
	 * An instant in ISO-8601, {@code null} for the epoch that stands for "never".
	 * @param instant the instant
	 * @return the text
	 */
	static @Nullable String timestamp(@Nullable Instant instant) {
		return (instant != null && !Instant.EPOCH.equals(instant)) ? instant.toString() : null;
	}

	/**
	 * A duration as Spring Boot's properties spell it, in the largest unit that holds it
	 * exactly: {@code 5s}, {@code 250ms}, {@code 0s}.
	 * @param duration the duration
	 * @return the text
	 */
	static String duration(Duration duration) {
		if (duration.isZero()) {
			return "0s";
		}
		long nanos = duration.getNano();
		long seconds = duration.getSeconds();
		if (nanos == 0) {
			if (seconds % 86_400 == 0) {
				return (seconds / 86_400) + "d";
			}
			if (seconds % 3_600 == 0) {
				return (seconds / 3_600) + "h";
			}
			if (seconds % 60 == 0) {
				return (seconds / 60) + "m";
			}
			return seconds + "s";
		}
		if (nanos % 1_000_000 == 0) {
			return duration.toMillis() + "ms";
		}
		if (nanos % 1_000 == 0) {
			return (duration.toNanos() / 1_000) + "us";
		}
		return duration.toNanos() + "ns";
	}

	/**
	 * The name of a node as a health component: {@code host-port}, with the colons of an
	 * IPv6 address written as underscores, as in the reader pool names. Usable in a URL
	 * path.
	 * @param node the node
	 * @return the name
	 */
	static String componentName(HostAndPort node) {
		return node.host().replace(':', '_') + "-" + node.port();
	}

}

package dev.tandem.routing;

import java.time.Duration;
import java.time.Instant;

import dev.tandem.topology.NodeStatus;
import dev.tandem.topology.TopologyMonitor;
import dev.tandem.url.HostAndPort;

/**
 * Judges the servers behind a load-balanced endpoint, which reads check on their own
 * connections: the probe reaches one server of an endpoint, reads reach them all.
 */
public interface ServerChecks {

	/**
	 * Judges what a check of a server found, made on a connection to an endpoint.
	 * @param endpoint the node the connection was made to
	 * @param checked what the check found, with the server that answered
	 * @param startedAt when the check started
	 * @return the server's verdict, its node being the server
	 */
	NodeStatus judge(HostAndPort endpoint, NodeStatus checked, Instant startedAt);

	/**
	 * How old a server's verdict may be before a read that reaches it checks it again.
	 * @return the age
	 */
	Duration maxAge();

	/**
	 * The monitor's judgement, with verdicts as old as one check interval.
	 * @param monitor the monitor
	 * @return the checks
	 */
	static ServerChecks of(TopologyMonitor monitor) {
		return new ServerChecks() {

			@Override
			public NodeStatus judge(HostAndPort endpoint, NodeStatus checked, Instant startedAt) {
				return monitor.serverChecked(endpoint, checked, startedAt);
			}

			@Override
			public Duration maxAge() {
				return monitor.interval();
			}

		};
	}

}

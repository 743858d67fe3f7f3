package dev.tandem.routing;

import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

import dev.tandem.consistency.ReadConsistency;
import dev.tandem.pool.PrimaryGate;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * The writer side of the routing {@code DataSource}: the writer pool, except that while
 * the topology knows no primary, a connection is refused at once with
 * {@link NoPrimaryAvailableException} instead of after the pool's connection timeout.
 */
public class WriterDataSource extends DelegatingDataSource {

	private final PrimaryGate gate;

	private final RoutingObserver observer;

	private final @Nullable ReadConsistency consistency;

	/**
	 * Creates the writer side.
	 * @param writer the writer pool
	 * @param gate whether a primary is up
	 * @param observer hears each decision
	 * @param consistency records the commit LSN of writes with a consistency key, or
	 * {@code null} for none
	 */
	public WriterDataSource(DataSource writer, PrimaryGate gate, RoutingObserver observer,
			@Nullable ReadConsistency consistency) {
		super(writer);
		this.gate = gate;
		this.observer = observer;
		this.consistency = consistency;
	}

	@Override
	public Connection getConnection() throws SQLException {
		Connection connection = connect();
		this.observer.writeRouted();
		Connection recording = (this.consistency != null) ? this.consistency.writing(connection) : connection;
		return this.observer.connectionRouted(recording, Route.PRIMARY, reason(), null);
	}

	/**
	 * Why a connection fetched now on this thread goes to the writer, as
	 * {@link TandemRoutingDataSource#currentKey()} decided it.
	 * @return the reason
	 */
	static RouteReason reason() {
		RouteReason reason = TandemRoutingDataSource.writerReason();
		// Only a caller that bypasses the routing gets here for the reader side.
		return (reason != null) ? reason : RouteReason.WRITE;
	}

	/**
	 * A connection from the writer pool, without telling the observer.
	 * @return the connection
	 * @throws NoPrimaryAvailableException while the topology knows no primary
	 * @throws SQLException when the pool fails
	 */
	Connection connect() throws SQLException {
		String down = this.gate.reason();
		if (down != null) {
			throw new NoPrimaryAvailableException("No primary is reachable, so this work cannot run now; "
					+ "it can once a primary is back or a standby is promoted. Topology: " + down);
		}
		return obtainTargetDataSource().getConnection();
	}

}

package dev.tandem.pool;

import java.sql.SQLException;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;

/**
 * Reads SQLStates the way Tandem's failure handling needs them.
 */
public final class SqlStates {

	/** A write on a read-only session or a hot standby. */
	public static final String READ_ONLY_TRANSACTION = "25006";

	private SqlStates() {
	}

	/**
	 * Whether a failure means the node itself went away: a connection failure (class
	 * {@code 08}) or the server shutting down or restarting ({@code 57P01},
	 * {@code 57P02}, {@code 57P03}).
	 * @param state the SQLState, possibly {@code null}
	 * @return whether the node is lost
	 */
	public static boolean isNodeLost(@Nullable String state) {
		return state != null
				&& (state.startsWith("08") || "57P01".equals(state) || "57P02".equals(state) || "57P03".equals(state));
	}

	/**
	 * Whether a failure is a connection failure (SQLState class {@code 08}), in the
	 * exception or its chain of next exceptions: the node did not answer or the
	 * connection broke, as opposed to the server refusing the work.
	 * @param failure the exception
	 * @return whether it is a connection failure
	 */
	public static boolean isConnectionFailure(SQLException failure) {
		return first(failure, (state) -> state.startsWith("08")) != null;
	}

	/**
	 * The first SQLState that {@link #isNodeLost(String)} accepts in an exception and its
	 * chain of next exceptions.
	 * @param failure the exception
	 * @return whether it means the node was lost
	 */
	public static boolean isNodeLost(SQLException failure) {
		return first(failure, SqlStates::isNodeLost) != null;
	}

	/**
	 * The first exception in a chain of next exceptions whose SQLState matches.
	 * @param failure the exception
	 * @param state which SQLStates match; never given {@code null}
	 * @return the matching exception, or {@code null}
	 */
	public static @Nullable SQLException first(SQLException failure, Predicate<String> state) {
		for (SQLException ex = failure; ex != null; ex = ex.getNextException()) {
			if (ex.getSQLState() != null && state.test(ex.getSQLState())) {
				return ex;
			}
		}
		return null;
	}

}

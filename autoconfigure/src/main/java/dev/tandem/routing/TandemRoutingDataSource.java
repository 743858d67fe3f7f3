package dev.tandem.routing;

import java.util.Map;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.datasource.lookup.AbstractRoutingDataSource;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Routes each physical connection to the {@link RouteKey#WRITER writer} or the
 * {@link RouteKey#READER reader} side. Meant to sit behind a
 * {@code LazyConnectionDataSourceProxy}, so the decision is taken at the first statement,
 * when the transaction's read-only flag is known. The decision reads thread-bound state
 * only: no I/O.
 * <ol>
 * <li>In a read-write transaction: the writer, always.</li>
 * <li>In a read-only transaction: the reader, unless {@code @ReadFromPrimary} asks for
 * the primary.</li>
 * <li>Outside a transaction: the reader under {@code @ReadFromReplica} (or a read-only
 * scope without a transaction), else the writer.</li>
 * </ol>
 */
public class TandemRoutingDataSource extends AbstractRoutingDataSource {

	/**
	 * Creates the routing data source.
	 * @param writer the writer pool
	 * @param reader the reader side
	 */
	public TandemRoutingDataSource(DataSource writer, DataSource reader) {
		setTargetDataSources(Map.of(RouteKey.WRITER, writer, RouteKey.READER, reader));
		setDefaultTargetDataSource(writer);
		setLenientFallback(false);
		afterPropertiesSet();
	}

	@Override
	protected Object determineCurrentLookupKey() {
		return currentKey();
	}

	/**
	 * The key a connection fetched now on this thread would get.
	 * @return the key
	 */
	public static RouteKey currentKey() {
		return (writerReason() != null) ? RouteKey.WRITER : RouteKey.READER;
	}

	/**
	 * Why a connection fetched now on this thread goes to the writer: the one place the
	 * thread-bound state (transaction, read-only flag, routing context) decides the side.
	 * @return the reason, or {@code null} when the connection goes to the reader side
	 */
	static @Nullable RouteReason writerReason() {
		Route route = RoutingContext.current();
		boolean readOnly = TransactionSynchronizationManager.isCurrentTransactionReadOnly();
		if (TransactionSynchronizationManager.isActualTransactionActive()) {
			if (!readOnly) {
				return RouteReason.WRITE;
			}
			return (route == Route.PRIMARY) ? RouteReason.READ_FROM_PRIMARY : null;
		}
		if (route != null) {
			return (route == Route.PRIMARY) ? RouteReason.READ_FROM_PRIMARY : null;
		}
		return readOnly ? null : RouteReason.NO_TRANSACTION;
	}

}

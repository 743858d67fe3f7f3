package dev.tandem.routing;

import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;

import javax.sql.DataSource;

import dev.tandem.jdbc.DelegatingHandler;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.datasource.ConnectionProxy;
import org.springframework.jdbc.datasource.LazyConnectionDataSourceProxy;

/**
 * The application's {@code DataSource}: a {@link LazyConnectionDataSourceProxy} over the
 * {@link TandemRoutingDataSource}, whose connections also answer the metadata that JDBC
 * instrumentation asks for as soon as it gets a connection, without fetching the physical
 * connection.
 * <p>
 * The lazy proxy answers {@code getAutoCommit}, {@code getTransactionIsolation} and
 * {@code isReadOnly} itself, but {@code getMetaData} and, until a catalog is set,
 * {@code getCatalog} fetch the physical connection. A wrapper that calls them right after
 * {@code getConnection} (p6spy's {@code P6DataSource} and datasource-micrometer read
 * {@code getMetaData().getURL()}, datasource-micrometer's name resolver reads
 * {@code getCatalog()}) would make the route be chosen inside the transaction manager's
 * {@code doBegin}, before the transaction's read-only flag is known: a read-only
 * {@code TransactionTemplate} would run on the primary. Here {@code getCatalog} answers
 * the cluster's database, and {@code getMetaData} answers a {@link DatabaseMetaData}
 * whose {@code getURL}, {@code getUserName}, {@code getDatabaseProductName},
 * {@code getDriverName} and {@code getConnection} need no connection; any other call on
 * it fetches the physical connection, as a statement would.
 */
public class LazyRoutingDataSource extends LazyConnectionDataSourceProxy {

	private static final String PRODUCT_NAME = "PostgreSQL";

	private static final String DRIVER_NAME = "PostgreSQL JDBC Driver";

	private final String url;

	private final @Nullable String username;

	private final @Nullable String catalog;

	/**
	 * Creates the data source. Call {@link #afterPropertiesSet()} (a bean's container
	 * does) after setting the defaults.
	 * @param routing the routing data source
	 * @param url the URL that connection metadata reports: the cluster's, without
	 * credentials
	 * @param username the user that connection metadata reports, or {@code null} to ask
	 * the connection
	 * @param catalog the database, reported as the connections' catalog, or {@code null}
	 * to ask the connection
	 */
	public LazyRoutingDataSource(DataSource routing, String url, @Nullable String username, @Nullable String catalog) {
		setTargetDataSource(routing);
		this.url = url;
		this.username = username;
		this.catalog = catalog;
	}

	@Override
	public Connection getConnection() throws SQLException {
		return withMetadata(super.getConnection());
	}

	@Override
	public Connection getConnection(String username, String password) throws SQLException {
		return withMetadata(super.getConnection(username, password));
	}

	private Connection withMetadata(Connection lazy) {
		return DelegatingHandler.proxy(ConnectionProxy.class, new LazyConnection(lazy));
	}

	private final class LazyConnection extends DelegatingHandler {

		private final Connection lazy;

		private LazyConnection(Connection lazy) {
			this.lazy = lazy;
		}

		@Override
		protected @Nullable Object handle(Object proxy, Method method, @Nullable Object[] args) throws Throwable {
			switch (method.getName()) {
				case "unwrap":
					return ((Class<?>) args[0]).isInstance(proxy) ? proxy : DELEGATE;
				case "isWrapperFor":
					return ((Class<?>) args[0]).isInstance(proxy) ? Boolean.TRUE : DELEGATE;
				case "getMetaData":
					return DelegatingHandler.proxy(DatabaseMetaData.class,
							new LazyMetaData((Connection) proxy, this.lazy));
				case "getCatalog":
					boolean known = LazyRoutingDataSource.this.catalog != null && !this.lazy.isClosed();
					return known ? LazyRoutingDataSource.this.catalog : DELEGATE;
				default:
					return DELEGATE;
			}
		}

		@Override
		protected Object target() {
			return this.lazy;
		}

	}

	private final class LazyMetaData extends DelegatingHandler {

		private final Connection connection;

		private final Connection lazy;

		private @Nullable DatabaseMetaData target;

		private LazyMetaData(Connection connection, Connection lazy) {
			this.connection = connection;
			this.lazy = lazy;
		}

		@Override
		protected @Nullable Object handle(Object proxy, Method method, @Nullable Object[] args) {
			return switch (method.getName()) {
				case "toString" -> "Metadata of " + this.connection;
				case "getURL" -> LazyRoutingDataSource.this.url;
				case "getUserName" ->
					(LazyRoutingDataSource.this.username != null) ? LazyRoutingDataSource.this.username : DELEGATE;
				case "getDatabaseProductName" -> PRODUCT_NAME;
				case "getDriverName" -> DRIVER_NAME;
				case "getConnection" -> this.connection;
				default -> DELEGATE;
			};
		}

		@Override
		protected Object target() throws SQLException {
			// Asked only for what the proxy does not answer: fetches the connection.
			if (this.target == null) {
				this.target = this.lazy.getMetaData();
			}
			return this.target;
		}

	}

}

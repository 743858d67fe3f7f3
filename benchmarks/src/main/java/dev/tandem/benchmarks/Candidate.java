package dev.tandem.benchmarks;

import java.util.function.Function;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * One way of reaching the cluster, driven exactly like every other: a Spring
 * {@link TransactionTemplate} (read-only for reads) around a {@link JdbcTemplate} over
 * the candidate's {@link DataSource}.
 */
final class Candidate implements AutoCloseable {

	private final String name;

	private final String description;

	private final JdbcTemplate jdbc;

	private final TransactionTemplate reads;

	private final TransactionTemplate writes;

	private final AutoCloseable resources;

	/**
	 * Creates a candidate.
	 * @param name short name used in tables and charts
	 * @param description what it is, for the report
	 * @param dataSource the candidate's data source
	 * @param transactions its transaction manager
	 * @param resources what to close when done (pools, an application context)
	 */
	Candidate(String name, String description, DataSource dataSource, PlatformTransactionManager transactions,
			AutoCloseable resources) {
		this.name = name;
		this.description = description;
		this.jdbc = new JdbcTemplate(dataSource);
		this.reads = new TransactionTemplate(transactions);
		this.reads.setReadOnly(true);
		this.writes = new TransactionTemplate(transactions);
		this.resources = resources;
	}

	String name() {
		return this.name;
	}

	String description() {
		return this.description;
	}

	/**
	 * Runs {@code work} in a read-only transaction.
	 * @param <T> the result type
	 * @param work the statements
	 * @return what the work returned
	 */
	<T> @Nullable T read(Function<JdbcTemplate, @Nullable T> work) {
		return this.reads.execute((status) -> work.apply(this.jdbc));
	}

	/**
	 * Runs {@code work} in a read-write transaction.
	 * @param <T> the result type
	 * @param work the statements
	 * @return what the work returned
	 */
	<T> @Nullable T write(Function<JdbcTemplate, @Nullable T> work) {
		return this.writes.execute((status) -> work.apply(this.jdbc));
	}

	@Override
	public void close() throws Exception {
		this.resources.close();
	}

	@Override
	public String toString() {
		return this.name;
	}

}

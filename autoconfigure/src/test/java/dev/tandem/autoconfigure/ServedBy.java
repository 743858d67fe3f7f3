package dev.tandem.autoconfigure;

import javax.sql.DataSource;

import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Asks the node that serves a transaction of a context's {@code DataSource} its port.
 */
final class ServedBy {

	private ServedBy() {
	}

	/**
	 * The port of the server that ran a transaction.
	 * @param context the application context
	 * @param readOnly whether the transaction is read-only
	 * @return {@code inet_server_port()}
	 */
	static int port(ApplicationContext context, boolean readOnly) {
		TransactionTemplate template = new TransactionTemplate(context.getBean(PlatformTransactionManager.class));
		template.setReadOnly(readOnly);
		JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
		Integer port = template.execute((status) -> jdbc.queryForObject("SELECT inet_server_port()", Integer.class));
		assertThat(port).isNotNull();
		return port;
	}

}

package dev.tandem.routing;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The node that served a statement, as the node itself reports it.
 *
 * @param standby {@code pg_is_in_recovery()}
 * @param port {@code inet_server_port()}
 * @param backendPid {@code pg_backend_pid()}, to tell whether two statements shared a
 * connection
 */
record ServingNode(boolean standby, int port, int backendPid) {

	static final String QUERY = "SELECT pg_is_in_recovery(), inet_server_port(), pg_backend_pid()";

	static ServingNode ask(JdbcTemplate jdbc) {
		return jdbc.queryForObject(QUERY, (rs, row) -> new ServingNode(rs.getBoolean(1), rs.getInt(2), rs.getInt(3)));
	}

}

package dev.tandem.sample;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The node that served a request, as the node itself reports it.
 *
 * @param port the server's port ({@code inet_server_port()})
 * @param standby whether the server is a hot standby ({@code pg_is_in_recovery()})
 */
public record ServedBy(int port, boolean standby) {

	static ServedBy ask(JdbcTemplate jdbc) {
		return jdbc.queryForObject("SELECT inet_server_port(), pg_is_in_recovery()",
				(rs, row) -> new ServedBy(rs.getInt(1), rs.getBoolean(2)));
	}

}

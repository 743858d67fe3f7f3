package dev.tandem.sample;

import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Reads run in read-only transactions, so Tandem sends them to a standby; writes run on
 * the primary. Nothing here knows about nodes: the routing comes from the annotations.
 */
@Service
public class NoteService {

	private static final RowMapper<Note> NOTE = (rs, row) -> new Note(rs.getLong("id"), rs.getString("body"),
			rs.getObject("created_at", java.time.OffsetDateTime.class));

	private final JdbcTemplate jdbc;

	NoteService(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	@Transactional(readOnly = true)
	public Served<List<Note>> list() {
		List<Note> notes = this.jdbc.query("SELECT id, body, created_at FROM note ORDER BY id DESC LIMIT 50", NOTE);
		return new Served<>(notes, ServedBy.ask(this.jdbc));
	}

	@Transactional(readOnly = true)
	public Served<Optional<Note>> find(long id) {
		Optional<Note> note = this.jdbc.query("SELECT id, body, created_at FROM note WHERE id = ?", NOTE, id)
			.stream()
			.findFirst();
		return new Served<>(note, ServedBy.ask(this.jdbc));
	}

	@Transactional
	public Served<Note> create(String body) {
		Note note = this.jdbc.queryForObject("INSERT INTO note (body) VALUES (?) RETURNING id, body, created_at", NOTE,
				body);
		return new Served<>(note, ServedBy.ask(this.jdbc));
	}

	/**
	 * A result and the node that produced it.
	 *
	 * @param <T> the result type
	 * @param value the result
	 * @param servedBy the node
	 */
	public record Served<T>(T value, ServedBy servedBy) {

	}

}

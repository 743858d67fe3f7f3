package dev.tandem.sample;

import java.net.URI;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /notes}, {@code GET /notes/{id}} and {@code POST /notes}; every response
 * carries {@code servedBy}: the port of the node and whether it is a standby. A request
 * body it cannot take is answered with 400 and an {@code error}.
 */
@RestController
@RequestMapping("/notes")
class NoteController {

	private final NoteService notes;

	NoteController(NoteService notes) {
		this.notes = notes;
	}

	@GetMapping
	Map<String, Object> list() {
		NoteService.Served<List<Note>> served = this.notes.list();
		return Map.of("notes", served.value(), "servedBy", served.servedBy());
	}

	@GetMapping("/{id}")
	ResponseEntity<Map<String, Object>> find(@PathVariable long id) {
		var served = this.notes.find(id);
		return served.value()
			.map((note) -> ResponseEntity.ok(Map.<String, Object>of("note", note, "servedBy", served.servedBy())))
			.orElseGet(() -> ResponseEntity.status(HttpStatus.NOT_FOUND)
				.body(Map.of("error", "no note " + id, "servedBy", served.servedBy())));
	}

	@PostMapping
	ResponseEntity<Map<String, Object>> create(@RequestBody NewNote request) {
		if (request.body() == null || request.body().isBlank()) {
			return ResponseEntity.badRequest().body(Map.of("error", "a note needs a non-blank 'body'"));
		}
		var served = this.notes.create(request.body());
		return ResponseEntity.created(URI.create("/notes/" + served.value().id()))
			.body(Map.of("note", served.value(), "servedBy", served.servedBy()));
	}

	@ExceptionHandler(HttpMessageNotReadableException.class)
	ResponseEntity<Map<String, Object>> unreadable(HttpMessageNotReadableException ex) {
		return ResponseEntity.badRequest()
			.body(Map.of("error", "the request body must be JSON such as {\"body\": \"some text\"}"));
	}

	record NewNote(@Nullable String body) {

	}

}

package dev.tandem.sample;

import java.time.OffsetDateTime;

/**
 * A note.
 *
 * @param id its id
 * @param body its text
 * @param createdAt when it was written
 */
public record Note(long id, String body, OffsetDateTime createdAt) {

}

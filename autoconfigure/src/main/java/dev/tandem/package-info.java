/**
 * Tandem's public annotations (routing hints that applications put on their own methods)
 * and {@link dev.tandem.ReadZone}, which picks the zone of a block's reads. Library code
 * lives in the sub-packages; auto-configuration in {@code dev.tandem.autoconfigure}.
 */
@NullMarked
package dev.tandem;

import org.jspecify.annotations.NullMarked;

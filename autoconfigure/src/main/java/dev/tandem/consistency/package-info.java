/**
 * Read-your-writes: whose writes a read must see (consistency keys), the markers that
 * hold each key's latest commit LSN and where they are stored, and what a read requires.
 */
@NullMarked
package dev.tandem.consistency;

import org.jspecify.annotations.NullMarked;

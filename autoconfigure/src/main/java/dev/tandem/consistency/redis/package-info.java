/**
 * The Redis marker store: read-your-writes across every instance that shares a Redis. The
 * only package that imports Spring Data Redis.
 */
@NullMarked
package dev.tandem.consistency.redis;

import org.jspecify.annotations.NullMarked;

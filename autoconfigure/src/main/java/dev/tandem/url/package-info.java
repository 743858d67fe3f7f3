/**
 * Parsing of Tandem's multi-host URLs (libpq URIs and pgjdbc URLs) into a
 * {@link dev.tandem.url.ClusterSpec}, with precise errors; plain Java, no Spring.
 */
@org.jspecify.annotations.NullMarked
package dev.tandem.url;

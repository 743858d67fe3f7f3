/**
 * Auto-configuration of Tandem: properties, the beans that wire pools, topology and
 * routing together, and the failure analyzers of startup errors.
 */
@NullMarked
package dev.tandem.autoconfigure;

import org.jspecify.annotations.NullMarked;

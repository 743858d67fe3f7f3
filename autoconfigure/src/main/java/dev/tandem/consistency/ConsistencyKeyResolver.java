package dev.tandem.consistency;

import org.jspecify.annotations.Nullable;

/**
 * Decides whose writes the current work must see: the key under which a write's marker is
 * recorded and a read's marker is looked up. Define a bean of this type to replace
 * Tandem's default chain.
 */
@FunctionalInterface
public interface ConsistencyKeyResolver {

	/**
	 * The consistency key of the current work.
	 * @return the key, or {@code null} for none: no marker is written or read
	 */
	@Nullable String resolve();

}

package dev.tandem.url;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Where read-only work goes. Writes always go to the primary.
 */
public enum ReadTarget {

	/**
	 * A standby when one is eligible, else the primary (still read-only).
	 */
	PREFER_STANDBY("prefer-standby"),

	/**
	 * A standby only; reads fail when none is eligible.
	 */
	STANDBY("standby"),

	/**
	 * Any node, primary or standby.
	 */
	ANY("any"),

	/**
	 * The primary only.
	 */
	PRIMARY("primary"),

	/**
	 * The primary, moving to a standby while the primary is down.
	 */
	PREFER_PRIMARY("prefer-primary");

	private static final String TARGET_SESSION_ATTRS_VALUES = "any, read-write, read-only, primary, standby, prefer-standby, prefer-primary";

	private static final String TARGET_SERVER_TYPE_VALUES = "any, primary, master, secondary, slave, preferSecondary, preferSlave, preferPrimary";

	private final String value;

	ReadTarget(String value) {
		this.value = value;
	}

	/**
	 * Returns the spelling used by {@code tandem.reads.target}, for example
	 * {@code prefer-standby}.
	 * @return the property value
	 */
	public String value() {
		return this.value;
	}

	/**
	 * Returns the read target spelled as {@code tandem.reads.target} spells it
	 * ({@code prefer-standby}, {@code standby}, {@code any}, {@code primary},
	 * {@code prefer-primary}); case is ignored.
	 * @param value the property value
	 * @return the read target
	 * @throws IllegalArgumentException if the value is none of the above; the message
	 * lists the valid values
	 */
	public static ReadTarget fromValue(String value) {
		String candidate = value.strip().toLowerCase(Locale.ROOT);
		for (ReadTarget target : values()) {
			if (target.value.equals(candidate)) {
				return target;
			}
		}
		throw new IllegalArgumentException("Unknown read target '" + value + "'; valid values are "
				+ Arrays.stream(values()).map(ReadTarget::value).collect(Collectors.joining(", ")));
	}

	/**
	 * Returns the read target for a libpq {@code target_session_attrs} value:
	 * {@code prefer-standby} gives {@link #PREFER_STANDBY}, {@code standby} and
	 * {@code read-only} give {@link #STANDBY}, {@code any} gives {@link #ANY},
	 * {@code primary} and {@code read-write} give {@link #PRIMARY}. As a Tandem extension
	 * (libpq has no such value), {@code prefer-primary} gives {@link #PREFER_PRIMARY}.
	 * Case is ignored.
	 * @param attrs the {@code target_session_attrs} value
	 * @return the read target
	 * @throws IllegalArgumentException if the value is unknown; the message lists the
	 * valid values
	 */
	public static ReadTarget fromTargetSessionAttrs(String attrs) {
		return switch (attrs.strip().toLowerCase(Locale.ROOT)) {
			case "prefer-standby" -> PREFER_STANDBY;
			case "standby", "read-only" -> STANDBY;
			case "any" -> ANY;
			case "primary", "read-write" -> PRIMARY;
			case "prefer-primary" -> PREFER_PRIMARY;
			default -> throw new IllegalArgumentException(
					"Unknown target_session_attrs '" + attrs + "'; valid values are " + TARGET_SESSION_ATTRS_VALUES);
		};
	}

	/**
	 * Returns the read target for a pgjdbc {@code targetServerType} value: {@code any},
	 * {@code primary} (or {@code master}), {@code secondary} (or {@code slave}) gives
	 * {@link #STANDBY}, {@code preferSecondary} (or {@code preferSlave}) gives
	 * {@link #PREFER_STANDBY}, {@code preferPrimary} gives {@link #PREFER_PRIMARY}. Case
	 * is ignored.
	 * @param type the {@code targetServerType} value
	 * @return the read target
	 * @throws IllegalArgumentException if the value is unknown; the message lists the
	 * valid values
	 */
	public static ReadTarget fromTargetServerType(String type) {
		return switch (type.strip().toLowerCase(Locale.ROOT)) {
			case "any" -> ANY;
			case "primary", "master" -> PRIMARY;
			case "secondary", "slave" -> STANDBY;
			case "prefersecondary", "preferslave" -> PREFER_STANDBY;
			case "preferprimary" -> PREFER_PRIMARY;
			default -> throw new IllegalArgumentException(
					"Unknown targetServerType '" + type + "'; valid values are " + TARGET_SERVER_TYPE_VALUES);
		};
	}

}

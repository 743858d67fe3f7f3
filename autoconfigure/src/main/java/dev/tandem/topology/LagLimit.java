package dev.tandem.topology;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * How far behind the primary a standby may be and still serve reads. A standby leaves the
 * rotation when its lag exceeds a limit, and comes back only once its lag is at most half
 * of every limit again, so that a standby hovering at the limit does not flap in and out.
 *
 * @param maxLag replay lag in time; zero means no limit
 * @param maxBytes replay lag in bytes of WAL; {@code null} means no limit
 */
public record LagLimit(Duration maxLag, @Nullable Long maxBytes) {

	/** No limit at all. */
	public static final LagLimit NONE = new LagLimit(Duration.ZERO, null);

	public LagLimit {
		if (maxLag.isNegative()) {
			throw new IllegalArgumentException("The maximum lag must not be negative, was " + maxLag);
		}
		if (maxBytes != null && maxBytes < 0) {
			throw new IllegalArgumentException("The maximum lag in bytes must not be negative, was " + maxBytes);
		}
	}

	/**
	 * Whether a standby is to be treated as lagging after a check. Unknown lag never
	 * counts against a standby.
	 * @param wasLagging whether it was lagging after its previous check
	 * @param lag its replay lag in time, {@code null} when unknown
	 * @param bytes its replay lag in bytes, {@code null} when unknown
	 * @return whether it is lagging now
	 */
	public boolean lagging(boolean wasLagging, @Nullable Duration lag, @Nullable Long bytes) {
		boolean timeLimited = !this.maxLag.isZero() && lag != null;
		boolean bytesLimited = this.maxBytes != null && bytes != null;
		if (!wasLagging) {
			return (timeLimited && lag.compareTo(this.maxLag) > 0) || (bytesLimited && bytes > this.maxBytes);
		}
		boolean timeRecovered = !timeLimited || lag.compareTo(this.maxLag.dividedBy(2)) <= 0;
		boolean bytesRecovered = !bytesLimited || bytes <= this.maxBytes / 2;
		return !(timeRecovered && bytesRecovered);
	}

}

package dev.tandem.benchmarks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Medians and ranges, and the way numbers are written in the report.
 */
final class Stats {

	private Stats() {
	}

	/**
	 * The median; the mean of the middle two for an even count. Infinity (as for "never")
	 * sorts last.
	 * @param values the values, at least one
	 * @return the median
	 */
	static double median(List<Double> values) {
		if (values.isEmpty()) {
			return Double.NaN;
		}
		List<Double> sorted = new ArrayList<>(values);
		Collections.sort(sorted);
		int middle = sorted.size() / 2;
		if (sorted.size() % 2 == 1) {
			return sorted.get(middle);
		}
		double low = sorted.get(middle - 1);
		double high = sorted.get(middle);
		return (low == high) ? low : (low + high) / 2;
	}

	static double min(List<Double> values) {
		return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
	}

	static double max(List<Double> values) {
		return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
	}

	/**
	 * A number with {@code decimals} places, "never" for infinity and "n/a" for NaN.
	 * @param value the number
	 * @param decimals places after the point
	 * @return the text
	 */
	static String format(double value, int decimals) {
		if (Double.isInfinite(value)) {
			return "never";
		}
		if (Double.isNaN(value)) {
			return "n/a";
		}
		return String.format(Locale.ROOT, "%." + decimals + "f", value);
	}

	static String ratio(double value) {
		return format(value, 2) + "×";
	}

	static String percent(long part, long whole) {
		return (whole == 0) ? "n/a" : format(100.0 * part / whole, 1) + " %";
	}

	/**
	 * The median and, when the values differ, their range: {@code 1.2 (0.9–1.5)}.
	 * @param values the values
	 * @param decimals places after the point
	 * @return the text
	 */
	static String medianAndRange(List<Double> values, int decimals) {
		String median = format(median(values), decimals);
		double min = min(values);
		double max = max(values);
		return (values.size() < 2 || min == max) ? median
				: median + " (" + format(min, decimals) + "–" + format(max, decimals) + ")";
	}

}

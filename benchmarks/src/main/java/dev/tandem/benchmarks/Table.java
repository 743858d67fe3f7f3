package dev.tandem.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A table of text cells, written as Markdown for the report and as aligned columns for
 * the console. The first column is a label; the others are numbers, right-aligned, unless
 * the table holds {@link #ofText text}.
 */
final class Table {

	private final List<String> header;

	private boolean numbers = true;

	private final List<List<String>> rows = new ArrayList<>();

	Table(String... header) {
		this.header = List.of(header);
	}

	/**
	 * A table whose columns are all text, left-aligned.
	 * @param header the column names
	 * @return the table
	 */
	static Table ofText(String... header) {
		Table table = new Table(header);
		table.numbers = false;
		return table;
	}

	Table row(String... cells) {
		if (cells.length != this.header.size()) {
			throw new IllegalArgumentException(
					"Expected " + this.header.size() + " cells but got " + Arrays.toString(cells));
		}
		this.rows.add(List.of(cells));
		return this;
	}

	List<List<String>> rows() {
		return this.rows;
	}

	String markdown() {
		StringBuilder out = new StringBuilder();
		line(out, this.header);
		out.append('|');
		for (int i = 0; i < this.header.size(); i++) {
			out.append((i == 0 || !this.numbers) ? "---|" : "---:|");
		}
		out.append('\n');
		this.rows.forEach((row) -> line(out, row));
		return out.toString();
	}

	private static void line(StringBuilder out, List<String> cells) {
		out.append('|');
		cells.forEach((cell) -> out.append(' ').append(cell.replace("|", "\\|")).append(" |"));
		out.append('\n');
	}

	String text() {
		int[] widths = new int[this.header.size()];
		List<List<String>> all = new ArrayList<>();
		all.add(this.header);
		all.addAll(this.rows);
		for (List<String> row : all) {
			for (int i = 0; i < row.size(); i++) {
				widths[i] = Math.max(widths[i], row.get(i).length());
			}
		}
		StringBuilder out = new StringBuilder();
		for (List<String> row : all) {
			for (int i = 0; i < row.size(); i++) {
				String cell = row.get(i);
				String padding = " ".repeat(widths[i] - cell.length());
				out.append((i == 0) ? cell + padding : (this.numbers ? "  " + padding + cell : "  " + cell + padding));
			}
			out.append('\n');
		}
		return out.toString();
	}

}

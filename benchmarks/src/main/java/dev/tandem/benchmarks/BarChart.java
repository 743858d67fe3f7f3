package dev.tandem.benchmarks;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleFunction;

import javax.imageio.ImageIO;

import org.jspecify.annotations.Nullable;

/**
 * A labelled, grouped bar chart drawn with plain Java2D and written as PNG: one group of
 * bars per category, one colour per series, the value written above each bar. A value of
 * infinity is drawn as a hatched bar to the top, labelled "never"; NaN draws no bar.
 */
final class BarChart {

	private static final Color[] PALETTE = { new Color(0x4E79A7), new Color(0xF28E2B), new Color(0x59A14F),
			new Color(0xE15759), new Color(0x76B7B2), new Color(0xEDC948), new Color(0xB07AA1), new Color(0x9C755F) };

	private static final int HEIGHT = 540;

	private static final int LEFT = 90;

	private static final int RIGHT = 30;

	private static final int TOP = 90;

	private static final int BOTTOM = 70;

	private static final int BAR = 24;

	private static final int GAP = 36;

	/** Room for a two-line label under a group of few bars. */
	private static final int MIN_GROUP = 130;

	private final String title;

	private final String axis;

	private final List<String> groups;

	private final List<String> series;

	private final double[][] values;

	private final DoubleFunction<String> label;

	private @Nullable Double reference;

	private String referenceLabel = "";

	/**
	 * Creates an empty chart.
	 * @param title the title
	 * @param axis what the vertical axis shows, with its unit
	 * @param groups the categories along the horizontal axis
	 * @param series the bars of each category
	 * @param label writes a bar's value
	 */
	BarChart(String title, String axis, List<String> groups, List<String> series, DoubleFunction<String> label) {
		this.title = title;
		this.axis = axis;
		this.groups = groups;
		this.series = series;
		this.label = label;
		this.values = new double[groups.size()][series.size()];
		for (double[] row : this.values) {
			Arrays.fill(row, Double.NaN);
		}
	}

	BarChart value(int group, int series, double value) {
		this.values[group][series] = value;
		return this;
	}

	/**
	 * Draws a dashed horizontal line, such as 1.0 on a chart of ratios.
	 * @param at where
	 * @param label what it means
	 * @return this chart
	 */
	BarChart reference(double at, String label) {
		this.reference = at;
		this.referenceLabel = label;
		return this;
	}

	void write(Path file) throws IOException {
		write(file, List.of(this));
	}

	/**
	 * Writes charts one above the other into one PNG, each with its own scale, for
	 * measures too far apart to share an axis.
	 * @param file the PNG to write
	 * @param charts the charts, top first
	 * @throws IOException if the file cannot be written
	 */
	static void write(Path file, List<BarChart> charts) throws IOException {
		int width = charts.stream().mapToInt(BarChart::width).max().orElse(0);
		BufferedImage image = new BufferedImage(width, HEIGHT * charts.size(), BufferedImage.TYPE_INT_RGB);
		Graphics2D g = image.createGraphics();
		try {
			g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
			g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
			g.setColor(Color.WHITE);
			g.fillRect(0, 0, width, image.getHeight());
			for (int i = 0; i < charts.size(); i++) {
				Graphics2D panel = (Graphics2D) g.create(0, i * HEIGHT, width, HEIGHT);
				try {
					charts.get(i).draw(panel, width, charts.get(i).groupWidth());
				}
				finally {
					panel.dispose();
				}
			}
		}
		finally {
			g.dispose();
		}
		ImageIO.write(image, "png", file.toFile());
	}

	private int groupWidth() {
		return Math.max(this.series.size() * BAR + GAP, MIN_GROUP);
	}

	private int width() {
		return Math.max(900, LEFT + RIGHT + this.groups.size() * groupWidth());
	}

	private void draw(Graphics2D g, int width, int groupWidth) {
		int plotTop = TOP;
		int plotBottom = HEIGHT - BOTTOM;
		int plotLeft = LEFT;
		int plotRight = width - RIGHT;
		g.setColor(Color.BLACK);
		g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
		g.drawString(this.title, plotLeft, 30);
		drawLegend(g, plotLeft, 58);
		double top = niceTop();
		drawAxis(g, plotLeft, plotRight, plotTop, plotBottom, top);
		int plotWidth = plotRight - plotLeft;
		int start = plotLeft + (plotWidth - this.groups.size() * groupWidth) / 2;
		g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
		for (int group = 0; group < this.groups.size(); group++) {
			int x0 = start + group * groupWidth + (groupWidth - this.series.size() * BAR) / 2;
			for (int s = 0; s < this.series.size(); s++) {
				drawBar(g, x0 + s * BAR, plotTop, plotBottom, top, this.values[group][s], PALETTE[s % PALETTE.length]);
			}
			drawGroupLabel(g, this.groups.get(group), x0 + this.series.size() * BAR / 2, plotBottom, groupWidth);
		}
		if (this.reference != null && this.reference <= top) {
			int y = y(this.reference, plotTop, plotBottom, top);
			g.setColor(new Color(0x333333));
			g.setStroke(
					new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] { 6, 4 }, 0));
			g.drawLine(plotLeft, y, plotRight, y);
			g.setStroke(new BasicStroke(1));
			g.setFont(new Font(Font.SANS_SERIF, Font.ITALIC, 11));
			FontMetrics metrics = g.getFontMetrics();
			int labelWidth = metrics.stringWidth(this.referenceLabel);
			// On white, so that it stays legible where it crosses a bar.
			g.setColor(Color.WHITE);
			g.fillRect(plotRight - labelWidth - 6, y - 4 - metrics.getAscent(), labelWidth + 4, metrics.getHeight());
			g.setColor(new Color(0x333333));
			g.drawString(this.referenceLabel, plotRight - labelWidth - 4, y - 4);
		}
	}

	private void drawLegend(Graphics2D g, int x, int y) {
		g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
		FontMetrics metrics = g.getFontMetrics();
		int at = x;
		for (int s = 0; s < this.series.size(); s++) {
			g.setColor(PALETTE[s % PALETTE.length]);
			g.fillRect(at, y - 10, 12, 12);
			g.setColor(Color.BLACK);
			g.drawString(this.series.get(s), at + 16, y);
			at += 16 + metrics.stringWidth(this.series.get(s)) + 18;
		}
	}

	private void drawAxis(Graphics2D g, int left, int right, int top, int bottom, double max) {
		g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
		FontMetrics metrics = g.getFontMetrics();
		double step = niceStep(max / 5);
		for (double tick = 0; tick <= max + step / 1000; tick += step) {
			int y = y(tick, top, bottom, max);
			g.setColor(new Color(0xE6E6E6));
			g.drawLine(left, y, right, y);
			g.setColor(Color.DARK_GRAY);
			String text = Stats.format(tick, decimals(step));
			g.drawString(text, left - 8 - metrics.stringWidth(text), y + 4);
		}
		g.setColor(Color.BLACK);
		g.drawLine(left, top, left, bottom);
		g.drawLine(left, bottom, right, bottom);
		Graphics2D rotated = (Graphics2D) g.create();
		rotated.rotate(-Math.PI / 2);
		rotated.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
		rotated.drawString(this.axis, -(top + bottom) / 2 - rotated.getFontMetrics().stringWidth(this.axis) / 2, 20);
		rotated.dispose();
	}

	private void drawBar(Graphics2D g, int x, int top, int bottom, double max, double value, Color color) {
		if (Double.isNaN(value)) {
			return;
		}
		boolean never = Double.isInfinite(value);
		int y = never ? top + 14 : y(Math.min(value, max), top, bottom, max);
		int height = Math.max(1, bottom - y);
		g.setColor(color);
		g.fillRect(x + 2, y, BAR - 4, height);
		if (never) {
			g.setColor(Color.WHITE);
			Graphics2D hatch = (Graphics2D) g.create();
			hatch.clipRect(x + 2, y, BAR - 4, height);
			hatch.setStroke(new BasicStroke(2));
			for (int offset = -BAR; offset < height; offset += 8) {
				hatch.drawLine(x + 2, y + offset + BAR, x + BAR - 2, y + offset);
			}
			hatch.dispose();
		}
		g.setColor(Color.BLACK);
		String text = never ? "never" : this.label.apply(value);
		Graphics2D rotated = (Graphics2D) g.create();
		rotated.translate(x + BAR / 2 + 4, y - 4);
		rotated.rotate(-Math.PI / 2);
		rotated.drawString(text, 0, 0);
		rotated.dispose();
	}

	private static void drawGroupLabel(Graphics2D g, String label, int center, int bottom, int width) {
		g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
		g.setColor(Color.BLACK);
		FontMetrics metrics = g.getFontMetrics();
		List<String> lines = wrap(label, metrics, width - 6);
		for (int i = 0; i < lines.size(); i++) {
			String line = lines.get(i);
			g.drawString(line, center - metrics.stringWidth(line) / 2, bottom + 18 + i * 15);
		}
	}

	/** Breaks a label after spaces, commas or hyphens so that each line fits. */
	private static List<String> wrap(String label, FontMetrics metrics, int width) {
		List<String> lines = new ArrayList<>();
		String rest = label;
		while (metrics.stringWidth(rest) > width) {
			int cut = -1;
			for (int i = 1; i < rest.length(); i++) {
				char c = rest.charAt(i - 1);
				if ((c == ' ' || c == '-' || c == ',') && metrics.stringWidth(rest.substring(0, i).trim()) <= width) {
					cut = i;
				}
			}
			if (cut < 0) {
				break;
			}
			lines.add(rest.substring(0, cut).trim());
			rest = rest.substring(cut).trim();
		}
		lines.add(rest);
		return lines;
	}

	private static int y(double value, int top, int bottom, double max) {
		return bottom - (int) Math.round((bottom - top) * value / max);
	}

	private double niceTop() {
		double max = (this.reference != null) ? this.reference : 0;
		for (double[] row : this.values) {
			for (double value : row) {
				if (Double.isFinite(value)) {
					max = Math.max(max, value);
				}
			}
		}
		if (max <= 0) {
			return 1;
		}
		// Room above the tallest bar for its label.
		double step = niceStep(max * 1.25 / 5);
		return Math.ceil(max * 1.25 / step) * step;
	}

	/** As many places as a tick needs to be exact: a step of 0.25 must not read 0.3. */
	private static int decimals(double step) {
		int decimals = 0;
		while (decimals < 4
				&& Math.abs(step * Math.pow(10, decimals) - Math.rint(step * Math.pow(10, decimals))) > 1e-6) {
			decimals++;
		}
		return decimals;
	}

	private static double niceStep(double raw) {
		double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
		double fraction = raw / magnitude;
		double nice = (fraction <= 1) ? 1 : (fraction <= 2) ? 2 : (fraction <= 2.5) ? 2.5 : (fraction <= 5) ? 5 : 10;
		return nice * magnitude;
	}

}

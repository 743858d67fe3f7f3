package dev.tandem.benchmarks;

/**
 * The benchmark command: every scenario, every candidate, one run.
 */
public final class Benchmarks {

	private Benchmarks() {
	}

	public static void main(String[] args) throws Exception {
		System.out.println("No scenario yet");
	}

}

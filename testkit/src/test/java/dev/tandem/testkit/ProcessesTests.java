/*
 * Copyright 2026 the original author or authors.
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *      https://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

package dev.tandem.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link Processes}.
 *
 * @author Tandem contributors
 */
class ProcessesTests {

	@Test
	void runReturnsExitCodeAndOutput() {
		Processes.Result result = Processes.runDirectly(List.of("sh", "-c", "echo out; echo err >&2; exit 3"),
				Duration.ofSeconds(10));
		assertThat(result.exitCode()).isEqualTo(3);
		assertThat(result.output()).contains("out", "err");
	}

	@Test
	void runKillsACommandThatOverrunsItsTimeout() {
		long started = System.nanoTime();
		Processes.Result result = Processes.runDirectly(List.of("sleep", "30"), Duration.ofMillis(200));
		assertThat(result.exitCode()).isEqualTo(-1);
		assertThat(result.output()).contains("killed after");
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
	}

	@Test
	void isAliveTellsLiveFromGoneProcesses() throws Exception {
		assertThat(Processes.isAlive(ProcessHandle.current().pid())).isTrue();
		Process process = new ProcessBuilder("true").start();
		process.waitFor();
		assertThat(Processes.isAlive(process.pid())).isFalse();
	}

	@Test
	void descendantsAreFoundAndSignalsStopAndContinueThem() throws Exception {
		Process shell = new ProcessBuilder("sh", "-c", "sleep 30 & wait").start();
		try {
			await().atMost(Duration.ofSeconds(10)).until(() -> !Processes.descendants(shell.pid()).isEmpty());
			List<Long> tree = List.of(shell.pid(), Processes.descendants(shell.pid()).get(0));
			Processes.signal("STOP", tree);
			await().atMost(Duration.ofSeconds(10))
				.until(() -> tree.stream().allMatch((pid) -> Processes.state(pid) == 'T'));
			Processes.signal("CONT", tree);
			await().atMost(Duration.ofSeconds(10))
				.until(() -> tree.stream().noneMatch((pid) -> Processes.state(pid) == 'T'));
			assertThat(tree).allMatch(Processes::isAlive);
		}
		finally {
			shell.descendants().forEach(ProcessHandle::destroyForcibly);
			shell.destroyForcibly().waitFor();
		}
	}

	@Test
	void signalToAProcessThatIsGoneIsNoError() throws Exception {
		Process process = new ProcessBuilder("true").start();
		process.waitFor();
		assertThat(Processes.state(process.pid())).isEqualTo('?');
		Processes.signal("CONT", List.of(process.pid()));
	}

	@Test
	void postmasterPidIsEmptyWithoutALiveServer(@TempDir Path dataDirectory) throws Exception {
		assertThat(Processes.postmasterPid(dataDirectory)).isEmpty();
		Files.writeString(dataDirectory.resolve("postmaster.pid"), "999999999\n/data\n");
		assertThat(Processes.postmasterPid(dataDirectory)).isEmpty();
		Files.writeString(dataDirectory.resolve("postmaster.pid"), ProcessHandle.current().pid() + "\n/data\n");
		assertThat(Processes.postmasterPid(dataDirectory)).contains(ProcessHandle.current().pid());
	}

}

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

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link RedisServer} that start no server.
 *
 * @author Tandem contributors
 */
class RedisServerTests {

	@Test
	void builderRejectsPortsOutOfRange() {
		assertThatIllegalArgumentException().isThrownBy(() -> RedisServer.builder().port(-1))
			.withMessageContaining("-1");
		assertThatIllegalArgumentException().isThrownBy(() -> RedisServer.builder().port(65536))
			.withMessageContaining("65536");
		RedisServer.builder().port(0).port(6379);
	}

	@Test
	void builderRejectsNamesThatAreNoFolderOrClashWithBinaries() {
		assertThatIllegalArgumentException().isThrownBy(() -> RedisServer.builder().name("../elsewhere"));
		assertThatIllegalArgumentException().isThrownBy(() -> RedisServer.builder().name(""));
		assertThatIllegalArgumentException().isThrownBy(() -> RedisServer.builder().name("pg-18.6.0"));
		assertThatIllegalArgumentException().isThrownBy(() -> RedisServer.builder().name(RedisBinary.RESOURCE))
			.withMessageContaining("redis-server-");
		RedisServer.builder().name("Some_Tests-redis.1");
	}

	@Test
	void pidFileWithADeadOrForeignProcessIsNoLeftover(@TempDir Path directory) throws IOException {
		assertThat(RedisServer.readPidFile(directory)).isEmpty();
		Files.writeString(directory.resolve(RedisServer.PID_FILE), "not a pid\n");
		assertThat(RedisServer.readPidFile(directory)).isEmpty();
		long self = ProcessHandle.current().pid();
		Files.writeString(directory.resolve(RedisServer.PID_FILE), self + "\n");
		assertThat(RedisServer.readPidFile(directory)).contains(self);
		// This JVM is alive but is no redis-server: a reused pid must not be stopped.
		assertThat(RedisServer.isRedisServerIn(self, directory)).isFalse();
	}

}

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
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link RedisBinary}.
 *
 * @author Tandem contributors
 */
class RedisBinaryTests {

	@Test
	void onlyLinuxX8664UsesTheEmbeddedBinary() {
		assertThat(RedisBinary.isLinuxX8664("Linux", "amd64")).isTrue();
		assertThat(RedisBinary.isLinuxX8664("Linux", "x86_64")).isTrue();
		assertThat(RedisBinary.isLinuxX8664("Linux", "aarch64")).isFalse();
		assertThat(RedisBinary.isLinuxX8664("Mac OS X", "x86_64")).isFalse();
		assertThat(RedisBinary.isLinuxX8664(null, null)).isFalse();
	}

	@Test
	void resolveCopiesTheEmbeddedBinaryOnceAndReadsItsVersion(@TempDir Path base) throws IOException {
		RedisBinary binary = RedisBinary.resolve(base, "Linux", "amd64", "");
		assertThat(binary.executable()).isEqualTo(base.resolve(RedisBinary.RESOURCE).resolve("redis-server"));
		assertThat(binary.executable()).isExecutable();
		assertThat(binary.version()).isEqualTo("6.2.11");
		long modified = Files.getLastModifiedTime(binary.executable()).toMillis();
		assertThat(RedisBinary.resolve(base, "Linux", "amd64", "").executable()).isEqualTo(binary.executable());
		assertThat(Files.getLastModifiedTime(binary.executable()).toMillis()).isEqualTo(modified);
	}

	@Test
	void resolveElsewhereWithoutRedisOnThePathFailsClearly(@TempDir Path base) {
		assertThatIllegalStateException().isThrownBy(() -> RedisBinary.resolve(base, "Mac OS X", "aarch64", ""))
			.withMessageContaining("Linux x86-64")
			.withMessageContaining("Mac OS X aarch64")
			.withMessageContaining("PATH");
	}

	@Test
	void resolveElsewhereUsesRedisServerOnThePath(@TempDir Path base) throws IOException {
		Path bin = Files.createDirectories(base.resolve("bin"));
		Path fake = bin.resolve("redis-server");
		Files.writeString(fake, "#!/bin/sh\necho 'Redis server v=7.4.1 sha=00000000:0 malloc=libc bits=64'\n");
		Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
		RedisBinary binary = RedisBinary.resolve(base, "Linux", "aarch64", "/nonexistent:" + bin);
		assertThat(binary.executable()).isEqualTo(fake);
		assertThat(binary.version()).isEqualTo("7.4.1");
	}

	@Test
	void versionIsReadFromTheVersionOutput() {
		assertThat(RedisBinary.version("Redis server v=6.2.11 sha=00000000:0 malloc=jemalloc-5.1.0 bits=64"))
			.isEqualTo("6.2.11");
		assertThat(RedisBinary.version("something else")).isEqualTo("(unknown version)");
	}

}

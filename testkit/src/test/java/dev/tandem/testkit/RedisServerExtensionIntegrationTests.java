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

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Integration tests for {@link RedisServerExtension}.
 *
 * @author Tandem contributors
 */
class RedisServerExtensionIntegrationTests {

	@RegisterExtension
	static final RedisServerExtension redis = RedisServerExtension.create();

	@Test
	void extensionProvidesARunningServer(RedisServer server) {
		assertThat(server).isSameAs(redis.server());
		assertThat(server.isRunning()).isTrue();
		assertThat(RedisServer.ping(server.port())).isTrue();
		assertThat(redis.url()).isEqualTo("redis://127.0.0.1:" + server.port());
		assertThat(server.directory().getFileName())
			.hasToString(RedisServerExtensionIntegrationTests.class.getSimpleName() + "-redis");
	}

	@Nested
	class NestedTests {

		@Test
		void nestedTestsShareTheServer(RedisServer server) {
			assertThat(server).isSameAs(redis.server());
			assertThat(server.isRunning()).isTrue();
		}

	}

}

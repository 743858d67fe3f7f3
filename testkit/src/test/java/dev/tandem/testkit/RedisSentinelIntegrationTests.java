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
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Integration tests for {@link RedisSentinel} and {@link RedisSentinelExtension},
 * speaking RESP over raw sockets.
 *
 * @author Tandem contributors
 */
class RedisSentinelIntegrationTests {

	@RegisterExtension
	static final RedisSentinelExtension shared = RedisSentinelExtension.create();

	private final Path base = Path.of("target/tandem-testkit").toAbsolutePath();

	@Test
	void startsAMasterAReplicaAndThreeSentinelsOnLoopback(RedisSentinel sentinel) throws IOException {
		assertThat(sentinel.masterName()).isEqualTo("tandem");
		assertThat(shared.masterName()).isEqualTo("tandem");
		assertThat(sentinel.sentinelAddresses()).hasSize(3)
			.allSatisfy((address) -> assertThat(address).startsWith("127.0.0.1:"))
			.isEqualTo(shared.sentinelAddresses());
		assertThat(sentinel.directory().getFileName().toString()).isEqualTo("RedisSentinelIntegrationTests-sentinel");
		assertThat(sentinel.master()).isSameAs(sentinel.nodes().get(0));
		assertThat(sentinel.replica()).isSameAs(sentinel.nodes().get(1));
		assertThat(sentinel.masterAddress()).isEqualTo("127.0.0.1:" + sentinel.master().port());
		for (RedisServer node : sentinel.sentinels()) {
			assertThat(RedisCommands.fields(node.port(), "INFO", "server")).containsEntry("redis_mode", "sentinel");
		}
	}

	@Test
	void writesOnTheMasterReachTheReplicaWhichRefusesWrites(RedisSentinel sentinel) throws IOException {
		assertThat(RedisCommands.call(sentinel.master().port(), "SET", "greeting", "hello")).isEqualTo("OK");
		sentinel.awaitReplication(Duration.ofSeconds(10));
		assertThat(RedisCommands.call(sentinel.replica().port(), "GET", "greeting")).isEqualTo("hello");
		assertThatExceptionOfType(RedisCommands.ErrorReply.class)
			.isThrownBy(() -> RedisCommands.call(sentinel.replica().port(), "SET", "greeting", "bye"))
			.withMessageStartingWith("READONLY");
	}

	@Test
	void failoverMovesTheMasterToTheReplicaWithItsDataAndBackAgain() throws IOException {
		try (RedisSentinel sentinel = RedisSentinel.builder()
			.baseDirectory(this.base)
			.name("RedisSentinelFailover")
			.masterName("orders")
			.start()) {
			RedisServer first = sentinel.master();
			RedisServer second = sentinel.replica();
			assertThat(RedisCommands.call(first.port(), "SET", "order", "42")).isEqualTo("OK");

			assertThat(sentinel.failover()).isSameAs(second);
			assertThat(sentinel.master()).isSameAs(second);
			for (String address : sentinel.sentinelAddresses()) {
				int port = Integer.parseInt(address.substring(address.indexOf(':') + 1));
				assertThat(RedisCommands.call(port, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "orders"))
					.isEqualTo(List.of("127.0.0.1", Integer.toString(second.port())));
			}
			assertThat(RedisCommands.call(second.port(), "GET", "order")).isEqualTo("42");
			assertThat(RedisCommands.call(second.port(), "SET", "order", "43")).isEqualTo("OK");
			// Sentinel turns the old master into a replica of the new one some seconds
			// after the switch.
			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(((List<?>) RedisCommands.call(first.port(), "ROLE")).get(0))
					.isEqualTo("slave"));

			assertThat(sentinel.failover()).isSameAs(first);
			assertThat(RedisCommands.call(first.port(), "GET", "order")).isEqualTo("43");
		}
	}

	@Test
	void theSentinelsFailAStoppedMasterOverOnTheirOwn() throws IOException {
		try (RedisSentinel sentinel = RedisSentinel.builder()
			.baseDirectory(this.base)
			.name("RedisSentinelMasterDown")
			.start()) {
			RedisServer first = sentinel.master();
			RedisServer second = sentinel.replica();
			assertThat(RedisCommands.call(first.port(), "SET", "order", "42")).isEqualTo("OK");
			sentinel.awaitReplication(Duration.ofSeconds(10));

			first.stop();

			// 5 s until the sentinels agree it is down, then an election and the
			// promotion
			await().atMost(Duration.ofSeconds(40)).until(() -> sentinel.master() == second);
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(
						() -> assertThat(RedisCommands.call(second.port(), "SET", "order", "43")).isEqualTo("OK"));
			assertThat(RedisCommands.call(second.port(), "GET", "order")).isEqualTo("43");
		}
	}

	@Test
	void closeStopsEveryProcessAndDeletesTheFolder() {
		RedisSentinel sentinel = RedisSentinel.builder().baseDirectory(this.base).name("RedisSentinelClose").start();
		List<RedisServer> servers = RedisServerSets.concat(sentinel.nodes(), sentinel.sentinels());
		sentinel.close();
		assertThat(servers).noneMatch(RedisServer::isRunning);
		assertThat(Files.exists(this.base.resolve("RedisSentinelClose"))).isFalse();
		sentinel.close();
	}

	@Test
	void aLeftoverOfARunThatDidNotCloseIsStoppedByTheNextStart() {
		RedisSentinel leftover = RedisSentinel.builder().baseDirectory(this.base).name("RedisSentinelLeftover").start();
		List<RedisServer> servers = RedisServerSets.concat(leftover.nodes(), leftover.sentinels());
		try (RedisSentinel sentinel = RedisSentinel.builder()
			.baseDirectory(this.base)
			.name("RedisSentinelLeftover")
			.start()) {
			assertThat(servers).noneMatch(RedisServer::isRunning);
			leftover.close();
			assertThat(sentinel.nodes()).allMatch(RedisServer::isRunning);
			assertThat(Files.isDirectory(sentinel.directory())).isTrue();
		}
	}

}

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Integration tests for {@link RedisCluster} and {@link RedisClusterExtension}, speaking
 * RESP over raw sockets.
 *
 * @author Tandem contributors
 */
class RedisClusterIntegrationTests {

	@RegisterExtension
	static final RedisClusterExtension shared = RedisClusterExtension.create();

	private final Path base = Path.of("target/tandem-testkit").toAbsolutePath();

	@Test
	void everyNodeIsAMasterAndReportsClusterStateOk(RedisCluster cluster) throws IOException {
		assertThat(cluster.nodeAddresses()).hasSize(3)
			.allSatisfy((address) -> assertThat(address).startsWith("127.0.0.1:"))
			.isEqualTo(shared.nodeAddresses());
		assertThat(cluster.isHealthy()).isTrue();
		for (RedisServer node : cluster.nodes()) {
			Map<String, String> info = RedisCommands.fields(node.port(), "CLUSTER", "INFO");
			assertThat(info).containsEntry("cluster_state", "ok")
				.containsEntry("cluster_slots_assigned", "16384")
				.containsEntry("cluster_known_nodes", "3")
				.containsEntry("cluster_size", "3");
			assertThat(((List<?>) RedisCommands.call(node.port(), "ROLE")).get(0)).isEqualTo("master");
		}
		assertThat(cluster.firstSlot(0)).isZero();
		assertThat(cluster.firstSlot(1)).isEqualTo(5461);
		assertThat(cluster.firstSlot(2)).isEqualTo(10922);
	}

	@Test
	void keysInDifferentSlotsLandOnDifferentMasters(RedisCluster cluster) throws IOException {
		Map<RedisServer, String> keyPerNode = new LinkedHashMap<>();
		for (int i = 0; keyPerNode.size() < 3 && i < 1000; i++) {
			keyPerNode.putIfAbsent(cluster.nodeFor("key-" + i), "key-" + i);
		}
		assertThat(keyPerNode.keySet()).containsExactlyInAnyOrderElementsOf(cluster.nodes());
		for (Map.Entry<RedisServer, String> entry : keyPerNode.entrySet()) {
			RedisServer owner = entry.getKey();
			String key = entry.getValue();
			assertThat(RedisCommands.call(owner.port(), "SET", key, "here")).isEqualTo("OK");
			assertThat(RedisCommands.call(owner.port(), "GET", key)).isEqualTo("here");
			for (RedisServer other : cluster.nodes()) {
				if (other != owner) {
					assertThatExceptionOfType(RedisCommands.ErrorReply.class)
						.isThrownBy(() -> RedisCommands.call(other.port(), "GET", key))
						.withMessage("MOVED " + cluster.slot(key) + " 127.0.0.1:" + owner.port());
				}
			}
		}
	}

	@Test
	void closeStopsEveryNodeAndDeletesTheFolder() {
		RedisCluster cluster = RedisCluster.builder().baseDirectory(this.base).name("RedisClusterClose").start();
		List<RedisServer> nodes = cluster.nodes();
		cluster.close();
		assertThat(nodes).noneMatch(RedisServer::isRunning);
		assertThat(Files.exists(this.base.resolve("RedisClusterClose"))).isFalse();
		cluster.close();
	}

	@Test
	void aSingleMasterHoldsEverySlot() throws IOException {
		try (RedisCluster cluster = RedisCluster.builder()
			.baseDirectory(this.base)
			.name("RedisClusterSingle")
			.masters(1)
			.start()) {
			assertThat(RedisCommands.fields(cluster.nodes().get(0).port(), "CLUSTER", "INFO"))
				.containsEntry("cluster_state", "ok")
				.containsEntry("cluster_slots_assigned", "16384");
		}
	}

}

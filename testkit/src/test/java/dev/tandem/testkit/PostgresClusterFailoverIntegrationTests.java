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

import java.sql.SQLException;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.tandem.testkit.PostgresClusterIntegrationTests.exists;
import static dev.tandem.testkit.PostgresClusterIntegrationTests.insert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * Integration tests for failover with {@link PostgresCluster#promote(PostgresNode)} and
 * {@link PostgresCluster#repointStandbys(PostgresNode)}.
 *
 * @author Tandem contributors
 */
class PostgresClusterFailoverIntegrationTests {

	@RegisterExtension
	static final PostgresClusterExtension extension = PostgresClusterExtension.withStandbys(2)
		.configure((builder) -> builder.setting("application_name", "failover-tests"));

	@Test
	void killPrimaryPromoteAndRepointMakesTheOtherStandbyFollow(PostgresCluster cluster) throws Exception {
		try (var connection = cluster.primary().connect()) {
			connection.createStatement().execute("CREATE TABLE items (id bigserial PRIMARY KEY, label text NOT NULL)");
		}
		long before = insert(cluster.primary(), "before failover");
		cluster.awaitReplication(Duration.ofSeconds(10));

		PostgresNode oldPrimary = cluster.node(0);
		PostgresNode newPrimary = cluster.node(1);
		PostgresNode follower = cluster.node(2);
		oldPrimary.kill();
		assertThat(oldPrimary.isRunning()).isFalse();
		assertThat(cluster.standbys()).containsExactly(newPrimary, follower);
		assertThatIllegalStateException().isThrownBy(cluster::primary).withMessageContaining("node0 stopped");

		cluster.promote(newPrimary);
		assertThat(newPrimary.isInRecovery()).isFalse();
		assertThat(cluster.primary()).isSameAs(newPrimary);
		cluster.repointStandbys(newPrimary);

		long after = insert(newPrimary, "after failover");
		await().atMost(Duration.ofSeconds(20)).until(() -> exists(follower, after));
		assertThat(exists(follower, before)).isTrue();
		assertThat(follower.isInRecovery()).isTrue();
		assertThat(cluster.standbys()).containsExactly(follower);
		cluster.awaitReplication(Duration.ofSeconds(10));
		assertThat(streamingFrom(newPrimary)).isEqualTo("node2");
	}

	private static String streamingFrom(PostgresNode node) throws SQLException {
		try (var connection = node.connectAsSuperuser();
				var resultSet = connection.createStatement()
					.executeQuery("SELECT string_agg(application_name, ',') FROM pg_stat_replication")) {
			resultSet.next();
			return resultSet.getString(1);
		}
	}

}

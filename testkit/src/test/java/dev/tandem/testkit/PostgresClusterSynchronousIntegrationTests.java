package dev.tandem.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.tandem.testkit.PostgresClusterIntegrationTests.exists;
import static dev.tandem.testkit.PostgresClusterIntegrationTests.insert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Integration tests for {@link PostgresCluster#makeSynchronous(PostgresNode)}.
 *
 * @author Tandem contributors
 */
class PostgresClusterSynchronousIntegrationTests {

	@RegisterExtension
	static final PostgresClusterExtension extension = PostgresClusterExtension.withStandbys(2);

	@Test
	void commitsWaitForTheSynchronousStandbyWhichThenPromotesWithEveryAcknowledgedCommit(PostgresCluster cluster)
			throws Exception {
		PostgresNode primary = cluster.node(0);
		PostgresNode synchronous = cluster.node(1);
		try (var connection = primary.connect()) {
			connection.createStatement().execute("CREATE TABLE items (id bigserial PRIMARY KEY, label text NOT NULL)");
		}
		assertThatIllegalArgumentException().isThrownBy(() -> cluster.makeSynchronous(primary))
			.withMessageContaining("only a standby can be synchronous");

		cluster.makeSynchronous(synchronous);
		List<Long> acknowledged = new ArrayList<>();
		acknowledged.add(insert(primary, "while synchronous"));
		// The other standby is asynchronous: commits do not wait for it.
		cluster.node(2).stop();
		acknowledged.add(insert(primary, "asynchronous standby down"));

		synchronous.stop();
		CompletableFuture<Long> waiting = CompletableFuture.supplyAsync(() -> {
			try {
				return insert(primary, "synchronous standby down");
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		});
		// A commit cannot be acknowledged while the synchronous standby is down.
		assertThat(waiting).failsWithin(Duration.ofSeconds(1)).withThrowableOfType(TimeoutException.class);
		assertThat(waiting).isNotDone();
		synchronous.start();
		acknowledged.add(waiting.get(PostgresNode.TIMEOUT.toSeconds(), TimeUnit.SECONDS));

		primary.kill();
		cluster.promote(synchronous);
		for (long id : acknowledged) {
			assertThat(exists(synchronous, id)).as("acknowledged row %d on the promoted standby", id).isTrue();
		}
		// Promoted, it waits for no one: its own setting is not the old primary's.
		CompletableFuture<Long> afterPromotion = CompletableFuture.supplyAsync(() -> {
			try {
				return insert(synchronous, "after promotion");
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		});
		assertThat(afterPromotion).succeedsWithin(Duration.ofSeconds(10));
	}

}

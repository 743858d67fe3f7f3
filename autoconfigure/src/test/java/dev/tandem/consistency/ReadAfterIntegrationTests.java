package dev.tandem.consistency;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import dev.tandem.autoconfigure.TandemAutoConfiguration;
import dev.tandem.consistency.ReadYourWritesIntegrationTests.Items;
import dev.tandem.consistency.ReadYourWritesIntegrationTests.Seen;
import dev.tandem.testkit.PostgresClusterExtension;
import dev.tandem.testkit.PostgresNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * {@link ReadAfter} on a real cluster with replay paused on the standby: a token taken
 * after a write, carried as a message would carry it to another thread of another
 * instance, makes the read there see the write; without it, the same read is stale.
 */
class ReadAfterIntegrationTests {

	private static final String SECRET = "a-secret-shared-by-both-instances";

	@RegisterExtension
	static final PostgresClusterExtension cluster = PostgresClusterExtension.withStandbys(1);

	/** A listener's thread: nothing is propagated to it. */
	private static final ExecutorService listener = Executors.newSingleThreadExecutor();

	private static ConfigurableApplicationContext producer;

	private static ConfigurableApplicationContext consumer;

	@BeforeAll
	static void start() throws SQLException {
		try (Connection connection = cluster.cluster().primary().connect();
				Statement statement = connection.createStatement()) {
			statement.execute("CREATE TABLE item (id bigserial PRIMARY KEY, owner text NOT NULL)");
		}
		producer = instance();
		consumer = instance();
	}

	private static ConfigurableApplicationContext instance() {
		// No lag limit: only the token may send a read to the primary.
		return new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
			.properties("tandem.url=" + cluster.libpqUrl(), "spring.main.banner-mode=off", "tandem.reads.max-lag=0",
					"tandem.consistency.token-secret=" + SECRET)
			.run();
	}

	@AfterAll
	static void stop() {
		listener.shutdownNow();
		if (producer != null) {
			producer.close();
		}
		if (consumer != null) {
			consumer.close();
		}
	}

	@AfterEach
	void resumeReplay() {
		cluster.cluster().standbys().forEach(PostgresNode::resumeReplay);
		ConsistencyContext.clear();
	}

	@Test
	void aTokenTakenAfterAWriteMakesAReadOnAnotherInstanceSeeIt() throws Exception {
		cluster.cluster().standbys().forEach(PostgresNode::pauseReplay);
		long id = producer.getBean(Items.class).write("order-1");
		String token = ReadAfter.current();
		assertThat(token).matches("[0-9A-F]+/[0-9A-F]+\\.[A-Za-z0-9_-]{22}").doesNotContain(SECRET);
		Items items = consumer.getBean(Items.class);
		CompletableFuture<Seen> read = new CompletableFuture<>();
		listener.execute(() -> ReadAfter.runWith(token, () -> read.complete(items.read(id))));
		Seen seen = read.get(10, TimeUnit.SECONDS);
		assertThat(seen.found()).isTrue();
		assertThat(seen.port()).isEqualTo(cluster.cluster().primary().port());
		// Control: the same read without the token reads the paused standby.
		Seen stale = CompletableFuture.supplyAsync(() -> items.read(id), listener).get(10, TimeUnit.SECONDS);
		assertThat(stale.found()).isFalse();
		assertThat(stale.standby()).isTrue();
	}

	@Test
	void theTokenOfAWriteInsideABlockIsTheThreadsAfterIt() throws Exception {
		Items items = producer.getBean(Items.class);
		String first = ReadAfter.callWith(null, () -> {
			items.write("order-2");
			return ReadAfter.current();
		});
		assertThat(first).isNotNull().isEqualTo(ReadAfter.current());
		items.write("order-3");
		assertThat(ReadAfter.current()).isNotEqualTo(first);
	}

	@Test
	void anAlteredOrUnsignedTokenIsRefusedNamingTheProblem() {
		producer.getBean(Items.class).write("order-4");
		String token = ReadAfter.current();
		String position = token.substring(0, token.indexOf('.'));
		assertThatIllegalArgumentException().isThrownBy(() -> ReadAfter.runWith(position, () -> {
		})).withMessageContaining("not signed").withMessageNotContaining(SECRET);
		String altered = position + "." + "A".repeat(22);
		assertThatIllegalArgumentException().isThrownBy(() -> ReadAfter.runWith(altered, () -> {
		})).withMessageContaining("signature does not match").withMessageNotContaining(SECRET);
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ TandemAutoConfiguration.class, TransactionAutoConfiguration.class,
			DataSourceTransactionManagerAutoConfiguration.class, JdbcTemplateAutoConfiguration.class })
	@Import(Items.class)
	static class App {

	}

}

package dev.tandem.routing;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import dev.tandem.consistency.ConsistencyKey;
import dev.tandem.routing.AsyncContextIntegrationTests.AsyncNotes;
import dev.tandem.routing.AsyncContextIntegrationTests.Notes;
import dev.tandem.routing.AsyncContextIntegrationTests.Seen;
import dev.tandem.testkit.PostgresClusterExtension;
import dev.tandem.testkit.PostgresNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With {@code spring.threads.virtual.enabled=true}, Spring Boot's application task
 * executor runs each task on a new virtual thread; Tandem's context follows it there. The
 * build targets Java 17, which has no virtual threads: this class is skipped, saying so,
 * on a Java 17 JVM, and autoconfigure's pom runs it once more on a JDK 25 when one is
 * installed. It uses Java 17 APIs only and asks {@code Thread.isVirtual()} reflectively.
 */
@EnabledForJreRange(min = JRE.JAVA_21,
		disabledReason = "Virtual threads need Java 21 or later. The 'virtual-threads' profile of the autoconfigure "
				+ "module runs this class again on a JDK 25 when one is installed")
class VirtualThreadContextIntegrationTests {

	@RegisterExtension
	static final PostgresClusterExtension cluster = PostgresClusterExtension.withStandbys(1);

	private static ConfigurableApplicationContext context;

	@BeforeAll
	static void start() throws SQLException {
		try (Connection connection = cluster.cluster().primary().connect();
				Statement statement = connection.createStatement()) {
			statement.execute("CREATE TABLE IF NOT EXISTS note (id bigserial PRIMARY KEY, owner text NOT NULL)");
		}
		context = AsyncContextIntegrationTests.start(cluster.libpqUrl(), "tandem.reads.max-lag=0",
				"spring.threads.virtual.enabled=true");
	}

	@AfterAll
	static void stop() {
		cluster.cluster().standbys().forEach(PostgresNode::resumeReplay);
		if (context != null) {
			context.close();
		}
	}

	@Test
	void asyncMethodsAndCompletableFuturesOnVirtualThreadsCarryTheKey() throws Exception {
		cluster.cluster().standbys().forEach(PostgresNode::pauseReplay);
		Notes notes = context.getBean(Notes.class);
		AsyncNotes async = context.getBean(AsyncNotes.class);
		Executor executor = context.getBean("applicationTaskExecutor", Executor.class);
		int primary = cluster.cluster().primary().port();
		ConsistencyKey.runWith("grace", () -> {
			long id = notes.write("grace");
			Seen byAsync = join(async.read(id));
			Seen byFuture = join(CompletableFuture.supplyAsync(() -> notes.read(id), executor));
			for (Seen seen : new Seen[] { byAsync, byFuture }) {
				assertThat(seen.virtual()).as("ran on a virtual thread: %s", seen).isTrue();
				assertThat(seen.found()).as("saw its write: %s", seen).isTrue();
				assertThat(seen.port()).isEqualTo(primary);
			}
		});
		// Control: a virtual thread without the key reads the paused standby.
		long id = notes.write("heidi");
		// The write would follow the task as this thread's latest commit.
		TandemContext.clear();
		Seen stale = join(async.read(id));
		assertThat(stale.virtual()).isTrue();
		assertThat(stale.found()).isFalse();
		assertThat(stale.standby()).isTrue();
	}

	private static <T> T join(CompletableFuture<T> future) {
		try {
			return future.get(10, TimeUnit.SECONDS);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

}

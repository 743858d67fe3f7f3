package dev.tandem.routing;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.tandem.autoconfigure.TandemAutoConfiguration;
import dev.tandem.consistency.CausalTokenFilter;
import dev.tandem.consistency.ConsistencyKey;
import dev.tandem.testkit.PostgresClusterExtension;
import dev.tandem.testkit.PostgresNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.task.TaskDecorator;
import org.springframework.core.task.support.ContextPropagatingTaskDecorator;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tandem's context follows work handed to Spring Boot's application task executor
 * ({@code @Async}, {@code CompletableFuture}s) and task scheduler, on a real cluster with
 * replay paused on the standby: the read handed over after a write sees the write (the
 * primary serves it), where the same read on an executor without Tandem's decorator reads
 * the standby's stale data.
 */
class AsyncContextIntegrationTests {

	@RegisterExtension
	static final PostgresClusterExtension cluster = PostgresClusterExtension.withStandbys(1);

	/** An executor Spring does not decorate: the control case. */
	private static final ExecutorService plain = Executors.newSingleThreadExecutor();

	private static ConfigurableApplicationContext context;

	@BeforeAll
	static void createTableAndStart() throws SQLException {
		try (Connection connection = cluster.cluster().primary().connect();
				Statement statement = connection.createStatement()) {
			statement.execute("CREATE TABLE IF NOT EXISTS note (id bigserial PRIMARY KEY, owner text NOT NULL)");
		}
		// No lag limit: a standby paused for long still serves, so only consistency
		// sends a read to the primary.
		context = start(cluster.libpqUrl(), "tandem.reads.max-lag=0", "tandem.consistency.key-header=X-User");
	}

	/**
	 * Starts the application with Tandem and Spring Boot's task executor and scheduler
	 * over a cluster.
	 * @param url the cluster's URL
	 * @param properties extra properties
	 * @return the context
	 */
	static ConfigurableApplicationContext start(String url, String... properties) {
		return new SpringApplicationBuilder(App.class, Wiring.class).web(WebApplicationType.NONE)
			.properties("tandem.url=" + url, "spring.main.banner-mode=off")
			.properties(properties)
			.run();
	}

	@AfterAll
	static void stop() {
		plain.shutdownNow();
		if (context != null) {
			context.close();
		}
	}

	@AfterEach
	void resumeReplay() {
		cluster.cluster().standbys().forEach(PostgresNode::resumeReplay);
		RequestContextHolder.resetRequestAttributes();
		// The test thread's latest commit would follow the next test's tasks.
		TandemContext.clear();
	}

	private static void pauseReplay() {
		cluster.cluster().standbys().forEach(PostgresNode::pauseReplay);
	}

	private static int primaryPort() {
		return cluster.cluster().primary().port();
	}

	@Test
	void anAsyncMethodReadsWithTheKeyTheRequestResolvedWhenItWasCalled() throws Exception {
		pauseReplay();
		Notes notes = context.getBean(Notes.class);
		AsyncNotes async = context.getBean(AsyncNotes.class);
		// The key comes from the request's header, which the executor's thread has
		// not.
		MockHttpServletRequest request = new MockHttpServletRequest("POST", "/notes");
		request.addHeader("X-User", "alice");
		RequestContextHolder.setRequestAttributes(new ServletRequestAttributes(request));
		long id = notes.write("alice");
		// The user's next request, which has a token of its own but no write: only the
		// key may make the read fresh.
		TandemContext.clear();
		AtomicReference<Seen> next = new AtomicReference<>();
		new CausalTokenFilter("X-Read-After", null, Duration.ofSeconds(10)).doFilter(request,
				new MockHttpServletResponse(), (req, res) -> next.set(join(async.read(id))));
		Seen seen = next.get();
		assertThat(seen.thread()).isNotEqualTo(Thread.currentThread().getName());
		assertThat(seen.key()).isEqualTo("alice");
		assertThat(seen.found()).isTrue();
		assertThat(seen.port()).isEqualTo(primaryPort());
		// Control: the same read on an undecorated thread has no key and reads stale.
		Seen stale = CompletableFuture.supplyAsync(() -> notes.read(id), plain).get(10, TimeUnit.SECONDS);
		assertThat(stale.found()).isFalse();
		assertThat(stale.standby()).isTrue();
	}

	@Test
	void aCompletableFutureOnTheApplicationTaskExecutorCarriesTheKey() throws Exception {
		pauseReplay();
		Notes notes = context.getBean(Notes.class);
		java.util.concurrent.Executor executor = context.getBean("applicationTaskExecutor",
				java.util.concurrent.Executor.class);
		Seen seen = ConsistencyKey.callWith("bob", () -> {
			long id = notes.write("bob");
			return CompletableFuture.supplyAsync(() -> notes.read(id), executor).get(10, TimeUnit.SECONDS);
		});
		assertThat(seen.thread()).isNotEqualTo(Thread.currentThread().getName());
		assertThat(seen.found()).isTrue();
		assertThat(seen.port()).isEqualTo(primaryPort());
	}

	@Test
	void aTaskScheduledInsideAConsistencyKeyBlockCarriesTheKey() throws Exception {
		pauseReplay();
		Notes notes = context.getBean(Notes.class);
		TaskScheduler scheduler = context.getBean(TaskScheduler.class);
		CompletableFuture<Seen> result = new CompletableFuture<>();
		ConsistencyKey.runWith("carol", () -> {
			long id = notes.write("carol");
			scheduler.schedule(() -> complete(result, () -> notes.read(id)), Instant.now().plusMillis(50));
		});
		Seen seen = result.get(10, TimeUnit.SECONDS);
		assertThat(seen.found()).isTrue();
		assertThat(seen.port()).isEqualTo(primaryPort());
	}

	@Test
	void aWriteOfAnAsyncMethodBecomesTheRequestsTokenAndItsLaterReadsSeeIt() throws Exception {
		pauseReplay();
		Notes notes = context.getBean(Notes.class);
		AsyncNotes async = context.getBean(AsyncNotes.class);
		CausalTokenFilter filter = new CausalTokenFilter("X-Read-After", null, Duration.ofSeconds(10));
		// No key: only the request's token ties the async write to the request's
		// read.
		MockHttpServletResponse response = new MockHttpServletResponse();
		AtomicReference<Seen> seen = new AtomicReference<>();
		filter.doFilter(new MockHttpServletRequest("POST", "/notes"), response, (request, reply) -> {
			long id = join(async.write("dave"));
			seen.set(notes.read(id));
		});
		assertThat(seen.get().found()).isTrue();
		assertThat(seen.get().port()).isEqualTo(primaryPort());
		assertThat(response.getHeader("X-Read-After")).matches("[0-9A-F]+/[0-9A-F]+");
		// Control: the same write on an undecorated thread is not the request's.
		MockHttpServletResponse other = new MockHttpServletResponse();
		filter.doFilter(new MockHttpServletRequest("POST", "/notes"), other, (request, reply) -> {
			long id = join(CompletableFuture.supplyAsync(() -> notes.write("erin"), plain));
			seen.set(notes.read(id));
		});
		assertThat(seen.get().found()).isFalse();
		assertThat(other.getHeader("X-Read-After")).isNull();
	}

	@Test
	void aRouteScopeFollowsTheWorkItHandsOver() throws Exception {
		AsyncNotes async = context.getBean(AsyncNotes.class);
		// Without a transaction a read goes to the primary (rule 6), unless a scope
		// such as @ReadFromReplica's says otherwise.
		try (RoutingContext.Scope scope = RoutingContext.open(Route.REPLICA)) {
			assertThat(async.readWithoutTransaction(-1).get(10, TimeUnit.SECONDS).standby()).isTrue();
		}
		assertThat(async.readWithoutTransaction(-1).get(10, TimeUnit.SECONDS).port()).isEqualTo(primaryPort());
	}

	@Test
	void theApplicationsOwnTaskDecoratorStillApplies() throws Exception {
		AsyncNotes async = context.getBean(AsyncNotes.class);
		Seen seen = ConsistencyKey.callWith("frank", () -> async.read(-1).get(10, TimeUnit.SECONDS));
		assertThat(seen.thread()).startsWith("decorated-by-app");
		assertThat(seen.key()).isEqualTo("frank");
	}

	private static <T> T join(CompletableFuture<T> future) {
		try {
			return future.get(10, TimeUnit.SECONDS);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void complete(CompletableFuture<Seen> result, java.util.function.Supplier<Seen> read) {
		try {
			result.complete(read.get());
		}
		catch (RuntimeException ex) {
			result.completeExceptionally(ex);
		}
	}

	/**
	 * A read as the node that served it saw it.
	 *
	 * @param found whether the row was there
	 * @param standby whether a standby served it
	 * @param port the serving node's port
	 * @param thread the thread that read
	 * @param virtual whether that thread is virtual
	 * @param key the consistency key set in code on that thread
	 */
	record Seen(boolean found, boolean standby, int port, String thread, boolean virtual, String key) {
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAsync
	@EnableScheduling
	@Import({ Notes.class, AsyncNotes.class })
	static class App {

		/**
		 * What {@code spring.task.execution.propagate-context=true} adds: its Tandem
		 * accessor knows no request key, and must not undo Tandem's decorator.
		 */
		@Bean
		ContextPropagatingTaskDecorator contextPropagatingTaskDecorator() {
			return new ContextPropagatingTaskDecorator();
		}

		/** The application's own decorator: Spring Boot composes it with Tandem's. */
		@Bean
		TaskDecorator appDecorator() {
			return (runnable) -> () -> {
				String name = Thread.currentThread().getName();
				Thread.currentThread().setName("decorated-by-app " + name);
				try {
					runnable.run();
				}
				finally {
					Thread.currentThread().setName(name);
				}
			};
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ TandemAutoConfiguration.class, TransactionAutoConfiguration.class,
			DataSourceTransactionManagerAutoConfiguration.class, JdbcTemplateAutoConfiguration.class,
			TaskExecutionAutoConfiguration.class, TaskSchedulingAutoConfiguration.class })
	static class Wiring {

	}

	@Service
	static class Notes {

		private final JdbcTemplate jdbc;

		Notes(JdbcTemplate jdbc) {
			this.jdbc = jdbc;
		}

		@Transactional
		public long write(String owner) {
			return this.jdbc.queryForObject("INSERT INTO note (owner) VALUES (?) RETURNING id", Long.class, owner);
		}

		@Transactional(readOnly = true)
		public Seen read(long id) {
			return this.jdbc.queryForObject(
					"SELECT EXISTS (SELECT 1 FROM note WHERE id = ?), pg_is_in_recovery(), inet_server_port()",
					(rs, row) -> new Seen(rs.getBoolean(1), rs.getBoolean(2), rs.getInt(3),
							Thread.currentThread().getName(), isVirtual(Thread.currentThread()),
							String.valueOf(ConsistencyKey.current())),
					id);
		}

		public Seen readWithoutTransaction(long id) {
			return read(id);
		}

		/** {@code Thread.isVirtual()}, asked reflectively: the build targets Java 17. */
		static boolean isVirtual(Thread thread) {
			try {
				return (boolean) Thread.class.getMethod("isVirtual").invoke(thread);
			}
			catch (ReflectiveOperationException ex) {
				return false;
			}
		}

	}

	@Service
	static class AsyncNotes {

		private final Notes notes;

		AsyncNotes(Notes notes) {
			this.notes = notes;
		}

		@Async
		public CompletableFuture<Seen> read(long id) {
			return CompletableFuture.completedFuture(this.notes.read(id));
		}

		@Async
		public CompletableFuture<Seen> readWithoutTransaction(long id) {
			return CompletableFuture.completedFuture(this.notes.readWithoutTransaction(id));
		}

		@Async
		public CompletableFuture<Long> write(String owner) {
			return CompletableFuture.completedFuture(this.notes.write(owner));
		}

	}

}

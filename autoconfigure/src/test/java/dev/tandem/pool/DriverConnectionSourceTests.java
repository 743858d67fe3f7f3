package dev.tandem.pool;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import dev.tandem.url.HostAndPort;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link DriverConnectionSource}, the gated source of the writer pool's
 * connections, against a port where nothing listens: pgjdbc really tries and really
 * fails, with no server and no mocked driver. What it does on a real cluster (a failover
 * under load) is covered by the routing integration tests.
 */
class DriverConnectionSourceTests {

	private static final long WAIT_SECONDS = 10;

	private static String url;

	private final Properties properties = new Properties();

	private final LiveConnections live = new LiveConnections();

	private final PrimaryGate gate = new PrimaryGate();

	private final List<SQLException> heard = new CopyOnWriteArrayList<>();

	private final PoolFailureListener failures = new PoolFailureListener() {

		@Override
		public void writerFailed(SQLException failure) {
			DriverConnectionSourceTests.this.heard.add(failure);
		}

	};

	@BeforeAll
	static void findAClosedPort() throws Exception {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
			url = "jdbc:postgresql://127.0.0.1:" + socket.getLocalPort() + "/db";
		}
	}

	@Test
	void anUngatedSourceFailsWithTheDriversConnectionError() {
		List<HostAndPort> reached = new CopyOnWriteArrayList<>();
		DriverConnectionSource source = new DriverConnectionSource(url, this.properties, this.live, reached::add);
		assertThatExceptionOfType(SQLException.class).isThrownBy(source::getConnection)
			.satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo("08001"));
		assertThat(reached).isEmpty();
	}

	@Test
	void anAttemptThatFailsWhileTheGateIsUpWaitsForTheTopologysVerdictAndTriesAgain() throws Exception {
		DriverConnectionSource source = gated(Duration.ofSeconds(WAIT_SECONDS * 10));
		CompletableFuture<Void> caller = connectAsync(source);
		// The failure is reported, and the caller waits instead of failing into HikariCP.
		await().atMost(Duration.ofSeconds(WAIT_SECONDS)).until(() -> !this.heard.isEmpty());
		assertThat(caller).isNotDone();
		// The verdict: no primary. The caller now waits at the gate, making no attempts.
		this.gate.primaryDown("the primary is gone");
		int attempts = this.heard.size();
		assertThat(caller).isNotDone();
		assertThat(this.heard).hasSize(attempts);
		// Closing the pool releases the gate: the next failure ends the call at once.
		this.gate.release();
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> caller.get(WAIT_SECONDS, TimeUnit.SECONDS))
			.havingCause()
			.isInstanceOfSatisfying(SQLException.class, (ex) -> assertThat(ex.getSQLState()).isEqualTo("08001"));
	}

	@Test
	void aSourceWaitsAtAClosedGateUntilAPrimaryIsUp() throws Exception {
		this.gate.primaryDown("no primary");
		DriverConnectionSource source = gated(Duration.ZERO);
		CompletableFuture<Void> caller = connectAsync(source);
		assertThat(caller).isNotDone();
		assertThat(this.heard).as("no attempt while the gate is down").isEmpty();
		this.gate.primaryUp();
		// With no time to retry, the first failure after the gate opens ends the call.
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> caller.get(WAIT_SECONDS, TimeUnit.SECONDS))
			.withCauseInstanceOf(SQLException.class);
	}

	@Test
	void aReleasedGateMakesAFailedAttemptFailAtOnce() throws Exception {
		this.gate.release();
		DriverConnectionSource source = gated(Duration.ofSeconds(WAIT_SECONDS * 10));
		// Without the release, the call would try again for a hundred seconds.
		assertThatExceptionOfType(ExecutionException.class)
			.isThrownBy(() -> connectAsync(source).get(WAIT_SECONDS, TimeUnit.SECONDS))
			.withCauseInstanceOf(SQLException.class);
		assertThat(this.heard).isEmpty();
	}

	@Test
	void anInterruptedWaitFailsWithATransientConnectionError() throws Exception {
		this.gate.primaryDown("no primary");
		DriverConnectionSource source = gated(Duration.ZERO);
		Thread.currentThread().interrupt();
		assertThatExceptionOfType(SQLException.class).isThrownBy(source::getConnection)
			.withMessage("Interrupted while waiting for a primary")
			.satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo("08001"));
		assertThat(Thread.interrupted()).as("interrupt flag kept").isTrue();
	}

	@Test
	void loginTimeoutIsKeptForHikariAndTheSourceUnwrapsToItself() throws SQLException {
		DriverConnectionSource source = gated(Duration.ZERO);
		assertThat(source.getLoginTimeout()).isEqualTo(TandemPools.LOGIN_TIMEOUT_SECONDS);
		source.setLoginTimeout(7);
		assertThat(source.getLoginTimeout()).isEqualTo(7);
		assertThat(source.isWrapperFor(DriverConnectionSource.class)).isTrue();
		assertThat(source.unwrap(DriverConnectionSource.class)).isSameAs(source);
		assertThat(source.isWrapperFor(String.class)).isFalse();
		assertThatExceptionOfType(SQLException.class).isThrownBy(() -> source.unwrap(String.class));
	}

	private DriverConnectionSource gated(Duration retry) {
		return new DriverConnectionSource(url, this.properties, this.live, this.gate, this.failures, retry);
	}

	private static CompletableFuture<Void> connectAsync(DriverConnectionSource source) {
		CompletableFuture<Void> result = new CompletableFuture<>();
		Thread thread = new Thread(() -> {
			try {
				source.getConnection().close();
				result.completeExceptionally(new IllegalStateException("connected to a closed port"));
			}
			catch (SQLException ex) {
				result.completeExceptionally(ex);
			}
			catch (RuntimeException ex) {
				result.completeExceptionally(ex);
			}
		}, "test-connect");
		thread.setDaemon(true);
		thread.start();
		// Returns once the call ended or waits at the gate.
		await().atMost(Duration.ofSeconds(WAIT_SECONDS))
			.until(() -> result.isDone() || thread.getState() == Thread.State.TIMED_WAITING);
		return result;
	}

}

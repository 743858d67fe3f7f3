package dev.tandem.consistency;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.time.Duration;

import dev.tandem.topology.Lsn;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the decisions of {@link ReadConsistency} that need no database; reads and
 * writes on real clusters are covered by the integration tests.
 */
class ReadConsistencyTests {

	private final MemoryMarkerStore store = new MemoryMarkerStore();

	private final ReadConsistency consistency = new ReadConsistency(ConsistencyMode.LSN, () -> "alice", this.store,
			Duration.ofSeconds(10), Duration.ofMillis(100), () -> new Lsn(1_000));

	@AfterEach
	void clear() {
		if (TransactionSynchronizationManager.isSynchronizationActive()) {
			TransactionSynchronizationManager.clearSynchronization();
		}
		TransactionSynchronizationManager.clear();
	}

	@Test
	void aMarkerRequiresItsPositionOnAStandby() {
		this.store.record("alice", new Lsn(500), Duration.ofSeconds(10));
		ReadRequirement requirement = this.consistency.requirement();
		assertThat(requirement.primary()).isFalse();
		assertThat(requirement.lsn()).isEqualTo(new Lsn(500));
	}

	@Test
	void aCommitThatFailedOnTheWaySendsTheKeysReadsToThePrimary() {
		// A commit whose connection broke may have happened: one standby may show it
		// while
		// another does not, so only the primary can answer reads of the key consistently.
		this.store.record("alice", new Lsn(500), Duration.ofSeconds(10));
		TransactionSynchronizationManager.initSynchronization();
		this.consistency.writing(unusedConnection());
		for (TransactionSynchronization synchronization : TransactionSynchronizationManager.getSynchronizations()) {
			synchronization.afterCompletion(TransactionSynchronization.STATUS_UNKNOWN);
		}
		assertThat(this.store.find("alice")).isEqualTo(ReadConsistency.UNKNOWN);
		ReadRequirement requirement = this.consistency.requirement();
		assertThat(requirement.primary()).isTrue();
		assertThat(requirement.reason()).contains("outcome is unknown");
	}

	@Test
	void aRolledBackWriteLeavesTheMarkerAlone() {
		this.store.record("alice", new Lsn(500), Duration.ofSeconds(10));
		TransactionSynchronizationManager.initSynchronization();
		this.consistency.writing(unusedConnection());
		for (TransactionSynchronization synchronization : TransactionSynchronizationManager.getSynchronizations()) {
			synchronization.afterCompletion(TransactionSynchronization.STATUS_ROLLED_BACK);
		}
		assertThat(this.store.find("alice")).isEqualTo(new Lsn(500));
	}

	private static Connection unusedConnection() {
		return (Connection) Proxy.newProxyInstance(ReadConsistencyTests.class.getClassLoader(),
				new Class<?>[] { Connection.class }, (proxy, method, args) -> {
					throw new UnsupportedOperationException(method.getName());
				});
	}

}

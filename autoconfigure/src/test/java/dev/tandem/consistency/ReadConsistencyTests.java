package dev.tandem.consistency;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import dev.tandem.wal.Lsn;
import org.junit.jupiter.api.AfterEach;
import org.jspecify.annotations.Nullable;
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

	private final AtomicReference<@Nullable String> key = new AtomicReference<>("alice");

	private final ReadConsistency consistency = consistency(ConsistencyMode.LSN);

	@AfterEach
	void clear() {
		CausalTokens.bind(null);
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
	void applicationsWithDifferentNamespacesDoNotSeeEachOthersMarkers() {
		// Issue 13, item 12: applications sharing one Redis shared their markers.
		ReadConsistency shop = namespaced("shop");
		ReadConsistency billing = namespaced("billing");
		TransactionSynchronizationManager.initSynchronization();
		shop.writing(unusedConnection());
		for (TransactionSynchronization synchronization : TransactionSynchronizationManager.getSynchronizations()) {
			synchronization.afterCompletion(TransactionSynchronization.STATUS_UNKNOWN);
		}
		assertThat(shop.requirement().primary()).isTrue();
		assertThat(billing.requirement()).isNull();
		assertThat(this.consistency.requirement()).as("no namespace").isNull();
		assertThat(namespaced("shop").requirement().primary()).as("another instance of the same application").isTrue();
	}

	@Test
	void aNamespaceIsHashedWithTheKeySoThatNoOtherPairMakesTheSameStoreKey() {
		assertThat(ReadConsistency.storeKey("", "alice")).isEqualTo("alice");
		assertThat(ReadConsistency.storeKey("a", "b:c")).isNotEqualTo(ReadConsistency.storeKey("a:b", "c"));
		assertThat(ReadConsistency.storeKey("shop", "alice")).isNotEqualTo("alice")
			.isNotEqualTo(ReadConsistency.storeKey("billing", "alice"));
	}

	private ReadConsistency namespaced(String namespace) {
		return new ReadConsistency(ConsistencyMode.LSN, this.key::get, this.store, Duration.ofSeconds(10),
				Duration.ofMillis(100), () -> new Lsn(1_000), namespace);
	}

	@Test
	void aCommitWhoseLsnCannotBeReadGivesTheRequestATokenThatSendsItsReadsToThePrimary() {
		// Found by the consistency checker: a token-only client whose write committed as
		// the primary died kept its previous write's token and read that, stale.
		List<Lsn> sent = new ArrayList<>();
		commitOn(this.consistency, brokenConnection(), sent::add);
		assertThat(sent).containsExactly(ReadConsistency.UNKNOWN);
		this.key.set(null);
		ReadRequirement requirement = requirementWithToken(this.consistency, sent.get(0));
		assertThat(requirement.waits()).isFalse();
		assertThat(requirement.lsn()).isEqualTo(ReadConsistency.UNKNOWN);
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

	@Test
	void aTokenAtOrBelowThePrimarysLastKnownPositionMayBeWaitedOn() {
		this.key.set(null);
		ReadRequirement requirement = requirementWithToken(this.consistency, new Lsn(1_000));
		assertThat(requirement)
			.isEqualTo(ReadRequirement.replayed(new Lsn(1_000), ReadRequirement.Source.CAUSAL_TOKEN, "causal token"));
		assertThat(requirement.waits()).isTrue();
	}

	@Test
	void aTokenBeyondWhatThisInstanceKnowsIsAskedOfAStandbyWithoutWaiting() {
		// Another instance's write a moment ago, or a forged token: a standby may have
		// it, but the primary is not known to, so no read waits for it.
		this.key.set(null);
		ReadRequirement requirement = requirementWithToken(this.consistency, new Lsn(1_001));
		assertThat(requirement.primary()).isFalse();
		assertThat(requirement.lsn()).isEqualTo(new Lsn(1_001));
		assertThat(requirement.waits()).isFalse();
	}

	@Test
	void aTokenOfAWriteThroughThisInstanceIsTrustedBeforeTheTopologySeesThePrimaryReachIt() {
		this.key.set(null);
		commitAt(this.consistency, new Lsn(5_000));
		assertThat(this.consistency.knownPrimaryPosition()).isEqualTo(new Lsn(5_000));
		ReadRequirement requirement = requirementWithToken(this.consistency, new Lsn(5_000));
		assertThat(requirement)
			.isEqualTo(ReadRequirement.replayed(new Lsn(5_000), ReadRequirement.Source.CAUSAL_TOKEN, "causal token"));
		assertThat(requirementWithToken(this.consistency, new Lsn(5_001)).waits()).isFalse();
	}

	@Test
	void aMarkerReadFromTheStoreIsTrustedForLaterTokens() {
		// Markers come from every instance's commits: the primary reached them.
		this.store.record("alice", new Lsn(7_000), Duration.ofSeconds(10));
		assertThat(this.consistency.requirement())
			.isEqualTo(ReadRequirement.replayed(new Lsn(7_000), ReadRequirement.Source.MARKER, "recent write"));
		this.key.set(null);
		assertThat(requirementWithToken(this.consistency, new Lsn(7_000)).waits()).isTrue();
	}

	@Test
	void aTokenAtTheMarkerJustReadMayBeWaitedOn() {
		this.store.record("alice", new Lsn(7_000), Duration.ofSeconds(10));
		ReadRequirement requirement = requirementWithToken(this.consistency, new Lsn(7_000));
		assertThat(requirement.lsn()).isEqualTo(new Lsn(7_000));
		assertThat(requirement.waits()).isTrue();
	}

	@Test
	void theHigherOfATokenAndAMarkerDecidesWhetherTheReadMayWait() {
		this.store.record("alice", new Lsn(500), Duration.ofSeconds(10));
		ReadRequirement requirement = requirementWithToken(this.consistency, new Lsn(2_000));
		assertThat(requirement.lsn()).isEqualTo(new Lsn(2_000));
		assertThat(requirement.waits()).isFalse();
	}

	@Test
	void neitherAForgedTokenNorAnUnknownOutcomeRaisesWhatThisInstanceKnows() {
		requirementWithToken(this.consistency, CausalTokens.parse("FFFFFFFF/FFFFFFFE"));
		this.store.record("alice", ReadConsistency.UNKNOWN, Duration.ofSeconds(10));
		assertThat(this.consistency.requirement().primary()).isTrue();
		assertThat(this.consistency.knownPrimaryPosition()).isEqualTo(new Lsn(1_000));
	}

	@Test
	void theTopologysPrimaryPositionCountsWhenItIsAheadOfWhatWasRead() {
		this.store.record("alice", new Lsn(500), Duration.ofSeconds(10));
		this.consistency.requirement();
		assertThat(this.consistency.knownPrimaryPosition()).isEqualTo(new Lsn(1_000));
	}

	@Test
	void inTtlModeATokenBeyondWhatThisInstanceKnowsGoesToThePrimary() {
		this.key.set(null);
		ReadRequirement requirement = requirementWithToken(consistency(ConsistencyMode.TTL), new Lsn(1_001));
		assertThat(requirement.primary()).isTrue();
	}

	private ReadConsistency consistency(ConsistencyMode mode) {
		return new ReadConsistency(mode, this.key::get, this.store, Duration.ofSeconds(10), Duration.ofMillis(100),
				() -> new Lsn(1_000));
	}

	private static ReadRequirement requirementWithToken(ReadConsistency consistency, Lsn token) {
		CausalTokens.bind(new CausalTokens(token, (lsn) -> {
		}));
		try {
			return consistency.requirement();
		}
		finally {
			CausalTokens.bind(null);
		}
	}

	/** A write transaction of a web request that commits at {@code lsn}. */
	private static void commitAt(ReadConsistency consistency, Lsn lsn) {
		commitOn(consistency, connectionAt(lsn), (committed) -> {
		});
	}

	/** A write transaction of a web request that commits on a connection. */
	private static void commitOn(ReadConsistency consistency, Connection connection, CausalTokens.Committed tokens) {
		CausalTokens.bind(new CausalTokens(null, tokens));
		TransactionSynchronizationManager.initSynchronization();
		try {
			consistency.writing(connection);
			for (TransactionSynchronization synchronization : TransactionSynchronizationManager.getSynchronizations()) {
				synchronization.afterCommit();
				synchronization.afterCompletion(TransactionSynchronization.STATUS_COMMITTED);
			}
		}
		finally {
			TransactionSynchronizationManager.clearSynchronization();
			CausalTokens.bind(null);
		}
	}

	/** A connection whose only query, the commit LSN's, answers {@code lsn}. */
	static Connection connectionAt(Lsn lsn) {
		ResultSet rs = proxy(ResultSet.class, (proxy, method, args) -> switch (method.getName()) {
			case "next" -> true;
			case "getString" -> lsn.toString();
			// Mid-page, mid-segment: no page header to step back over.
			case "getLong" -> ((int) args[0] == 2) ? 1000L : 8192L;
			case "close" -> null;
			default -> throw new UnsupportedOperationException(method.getName());
		});
		PreparedStatement statement = proxy(PreparedStatement.class,
				(proxy, method, args) -> switch (method.getName()) {
					case "executeQuery" -> rs;
					case "close" -> null;
					default -> throw new UnsupportedOperationException(method.getName());
				});
		return proxy(Connection.class, (proxy, method, args) -> switch (method.getName()) {
			case "prepareStatement" -> statement;
			default -> throw new UnsupportedOperationException(method.getName());
		});
	}

	private static <T> T proxy(Class<T> type, InvocationHandler handler) {
		return type.cast(
				Proxy.newProxyInstance(ReadConsistencyTests.class.getClassLoader(), new Class<?>[] { type }, handler));
	}

	/** A connection that broke after the commit: the commit LSN cannot be read. */
	private static Connection brokenConnection() {
		return proxy(Connection.class, (proxy, method, args) -> {
			throw new java.sql.SQLException("An I/O error occurred while sending to the backend.", "08006");
		});
	}

	private static Connection unusedConnection() {
		return (Connection) Proxy.newProxyInstance(ReadConsistencyTests.class.getClassLoader(),
				new Class<?>[] { Connection.class }, (proxy, method, args) -> {
					throw new UnsupportedOperationException(method.getName());
				});
	}

}

package dev.tandem.routing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.tandem.consistency.ReadRequirement;
import dev.tandem.url.HostAndPort;
import dev.tandem.wal.Lsn;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.transaction.support.TransactionSynchronizationManager;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link RouteReason}: the reason each side gives a connection, and the
 * composite {@link RoutingObserver}.
 */
class RouteReasonTests {

	private static final HostAndPort NODE = new HostAndPort("127.0.0.1", 5433);

	@AfterEach
	void clearTransactionState() {
		TransactionSynchronizationManager.clear();
	}

	@Test
	void readReasonFollowsTheChoiceWhenNoRecentWriteMatters() {
		assertThat(reason(ReadChoice.Reason.STANDBY, null)).isEqualTo(RouteReason.READ_ONLY);
		assertThat(reason(ReadChoice.Reason.ZONE, null)).isEqualTo(RouteReason.ZONE);
		assertThat(reason(ReadChoice.Reason.OTHER_ZONE, null)).isEqualTo(RouteReason.OTHER_ZONE);
		assertThat(reason(ReadChoice.Reason.TARGET, null)).isEqualTo(RouteReason.TARGET);
		assertThat(reason(ReadChoice.Reason.NO_STANDBY, null)).isEqualTo(RouteReason.NO_STANDBY);
		assertThat(reason(ReadChoice.Reason.PRIMARY_DOWN, null)).isEqualTo(RouteReason.PRIMARY_DOWN);
	}

	@Test
	void readThatMustSeeARecentWriteIsExplainedByWhatAskedForIt() {
		ReadRequirement marker = ReadRequirement.replayed(new Lsn(100), ReadRequirement.Source.MARKER, "recent write");
		ReadRequirement token = ReadRequirement.replayedAlready(new Lsn(100), ReadRequirement.Source.CAUSAL_TOKEN,
				"causal token");
		ReadRequirement store = ReadRequirement.onPrimary(ReadRequirement.Source.MARKER_STORE,
				"marker store unavailable");
		assertThat(reason(ReadChoice.Reason.CONSISTENT_STANDBY, marker)).isEqualTo(RouteReason.MARKER);
		assertThat(reason(ReadChoice.Reason.CONSISTENCY_PRIMARY, marker)).isEqualTo(RouteReason.MARKER);
		assertThat(reason(ReadChoice.Reason.CONSISTENT_STANDBY, token)).isEqualTo(RouteReason.CAUSAL_TOKEN);
		assertThat(reason(ReadChoice.Reason.CONSISTENCY_PRIMARY, token)).isEqualTo(RouteReason.CAUSAL_TOKEN);
		assertThat(reason(ReadChoice.Reason.CONSISTENCY_PRIMARY, store)).isEqualTo(RouteReason.MARKER_STORE);
	}

	@Test
	void writerConnectionIsAWriteInAReadWriteTransaction() {
		TransactionSynchronizationManager.setActualTransactionActive(true);
		assertThat(WriterDataSource.reason()).isEqualTo(RouteReason.WRITE);
		try (RoutingContext.Scope scope = RoutingContext.open(Route.PRIMARY)) {
			assertThat(WriterDataSource.reason()).isEqualTo(RouteReason.WRITE);
		}
	}

	@Test
	void writerConnectionOfAReadOnlyTransactionIsReadFromPrimary() {
		TransactionSynchronizationManager.setActualTransactionActive(true);
		TransactionSynchronizationManager.setCurrentTransactionReadOnly(true);
		try (RoutingContext.Scope scope = RoutingContext.open(Route.PRIMARY)) {
			assertThat(WriterDataSource.reason()).isEqualTo(RouteReason.READ_FROM_PRIMARY);
		}
	}

	@Test
	void writerConnectionWithoutATransactionIsReadFromPrimaryOnlyOnAPrimaryRoute() {
		assertThat(WriterDataSource.reason()).isEqualTo(RouteReason.NO_TRANSACTION);
		try (RoutingContext.Scope scope = RoutingContext.open(Route.PRIMARY)) {
			assertThat(WriterDataSource.reason()).isEqualTo(RouteReason.READ_FROM_PRIMARY);
		}
	}

	@Test
	void reasonsPrintAsKeyValues() {
		assertThat(Arrays.stream(RouteReason.values()).map(RouteReason::toString)).containsExactly("write",
				"no-transaction", "read-from-primary", "read-only", "zone", "other-zone", "target", "no-standby",
				"primary-down", "marker", "causal-token", "marker-store");
	}

	@Test
	void compositeTellsEveryObserverInOrder() {
		List<String> heard = new ArrayList<>();
		RoutingObserver all = RoutingObserver.of(List.of(recording("a", heard), recording("b", heard)));
		all.readRouted(new ReadChoice(NODE, ReadChoice.Reason.STANDBY));
		all.writeRouted();
		all.readRetried(2, new IllegalStateException("lost"));
		assertThat(heard).containsExactly("a read", "b read", "a write", "b write", "a retry 2", "b retry 2");
	}

	@Test
	void compositeOfNoneOrOneIsNoCompositeAtAll() {
		RoutingObserver one = recording("a", new ArrayList<>());
		assertThat(RoutingObserver.of(List.of())).isSameAs(RoutingObserver.NONE);
		assertThat(RoutingObserver.of(List.of(one))).isSameAs(one);
	}

	private static RouteReason reason(ReadChoice.Reason choice, ReadRequirement requirement) {
		return ReaderDataSource.reason(new ReadChoice(NODE, choice), requirement);
	}

	private static RoutingObserver recording(String name, List<String> heard) {
		return new RoutingObserver() {

			@Override
			public void readRouted(ReadChoice choice) {
				heard.add(name + " read");
			}

			@Override
			public void writeRouted() {
				heard.add(name + " write");
			}

			@Override
			public void readRetried(int attempt, Throwable failure) {
				heard.add(name + " retry " + attempt);
			}

		};
	}

}

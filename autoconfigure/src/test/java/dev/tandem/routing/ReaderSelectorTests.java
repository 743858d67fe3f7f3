package dev.tandem.routing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.tandem.wal.Lsn;
import dev.tandem.topology.NodeRole;
import dev.tandem.topology.NodeStatus;
import dev.tandem.topology.Rotation;
import dev.tandem.topology.TopologySnapshot;
import dev.tandem.url.HostAndPort;
import dev.tandem.url.ReadTarget;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link ReaderSelector}.
 */
class ReaderSelectorTests {

	private static final HostAndPort H1 = new HostAndPort("h1", 5432);

	private static final HostAndPort H2 = new HostAndPort("h2", 5432);

	private static final HostAndPort H3 = new HostAndPort("h3", 5432);

	private static final List<HostAndPort> ALL = List.of(H1, H2, H3);

	static Stream<Arguments> choices() {
		// target, topology (p = primary, s = standby, - = unreachable), expected node
		// (null = writer pool), reason
		return Stream.of(Arguments.of(ReadTarget.PREFER_STANDBY, "pss", H2, ReadChoice.Reason.STANDBY),
				Arguments.of(ReadTarget.PREFER_STANDBY, "p--", H1, ReadChoice.Reason.NO_STANDBY),
				Arguments.of(ReadTarget.PREFER_STANDBY, "---", null, ReadChoice.Reason.NO_STANDBY),
				Arguments.of(ReadTarget.PREFER_STANDBY, "-ps", H3, ReadChoice.Reason.STANDBY),
				Arguments.of(ReadTarget.STANDBY, "pss", H2, ReadChoice.Reason.STANDBY),
				Arguments.of(ReadTarget.PRIMARY, "pss", H1, ReadChoice.Reason.TARGET),
				Arguments.of(ReadTarget.PRIMARY, "sps", H2, ReadChoice.Reason.TARGET),
				Arguments.of(ReadTarget.PRIMARY, "-ss", null, ReadChoice.Reason.TARGET),
				Arguments.of(ReadTarget.PREFER_PRIMARY, "pss", H1, ReadChoice.Reason.TARGET),
				Arguments.of(ReadTarget.PREFER_PRIMARY, "-ss", H2, ReadChoice.Reason.PRIMARY_DOWN),
				Arguments.of(ReadTarget.PREFER_PRIMARY, "---", null, ReadChoice.Reason.TARGET),
				Arguments.of(ReadTarget.ANY, "p--", H1, ReadChoice.Reason.TARGET),
				Arguments.of(ReadTarget.ANY, "-s-", H2, ReadChoice.Reason.STANDBY),
				Arguments.of(ReadTarget.ANY, "---", null, ReadChoice.Reason.NO_STANDBY));
	}

	@ParameterizedTest(name = "{0} over {1} -> {2} ({3})")
	@MethodSource("choices")
	void chooses(ReadTarget target, String topology, @Nullable HostAndPort node, ReadChoice.Reason reason)
			throws Exception {
		ReaderSelector selector = new ReaderSelector(target, ReadBalance.ROUND_ROBIN, (host) -> 0);
		ReadChoice choice = selector.choose(snapshot(topology));
		assertThat(choice.node()).isEqualTo(node);
		assertThat(choice.reason()).isEqualTo(reason);
	}

	@Test
	void standbyTargetWithoutStandbyFailsNamingTheTopology() {
		ReaderSelector selector = new ReaderSelector(ReadTarget.STANDBY, ReadBalance.ROUND_ROBIN, (host) -> 0);
		assertThatExceptionOfType(NoStandbyAvailableException.class).isThrownBy(() -> selector.choose(snapshot("p--")))
			.withMessageContaining("tandem.reads.target is 'standby'")
			.withMessageContaining("h1:5432 primary")
			.withMessageContaining("h2:5432 unreachable")
			.satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo("08001"));
	}

	@Test
	void roundRobinAlternatesOverStandbys() throws Exception {
		ReaderSelector selector = new ReaderSelector(ReadTarget.PREFER_STANDBY, ReadBalance.ROUND_ROBIN, (host) -> 0);
		List<HostAndPort> picked = new ArrayList<>();
		for (int i = 0; i < 6; i++) {
			picked.add(selector.choose(snapshot("pss")).node());
		}
		assertThat(picked).containsExactly(H2, H3, H2, H3, H2, H3);
	}

	@Test
	void anyRotatesOverPrimaryAndStandbys() throws Exception {
		ReaderSelector selector = new ReaderSelector(ReadTarget.ANY, ReadBalance.ROUND_ROBIN, (host) -> 0);
		List<HostAndPort> picked = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			picked.add(selector.choose(snapshot("pss")).node());
		}
		assertThat(picked).containsExactlyInAnyOrder(H1, H2, H3);
	}

	@Test
	void randomReachesEveryStandby() throws Exception {
		ReaderSelector selector = new ReaderSelector(ReadTarget.STANDBY, ReadBalance.RANDOM, (host) -> 0);
		Map<HostAndPort, Integer> counts = new HashMap<>();
		for (int i = 0; i < 200; i++) {
			counts.merge(selector.choose(snapshot("pss")).node(), 1, Integer::sum);
		}
		assertThat(counts).containsOnlyKeys(H2, H3);
	}

	@Test
	void leastActivePicksTheIdlestPool() throws Exception {
		Map<HostAndPort, Integer> active = Map.of(H2, 5, H3, 1);
		ReaderSelector selector = new ReaderSelector(ReadTarget.STANDBY, ReadBalance.LEAST_ACTIVE, active::get);
		for (int i = 0; i < 4; i++) {
			assertThat(selector.choose(snapshot("pss")).node()).isEqualTo(H3);
		}
	}

	@ParameterizedTest(name = "standby {0} is skipped")
	@MethodSource("outOfRotation")
	void standbysOutOfRotationAreNotUsed(Rotation rotation) throws Exception {
		ReaderSelector selector = new ReaderSelector(ReadTarget.PREFER_STANDBY, ReadBalance.ROUND_ROBIN, (host) -> 0);
		TopologySnapshot snapshot = new TopologySnapshot(List.of(status(H1, NodeRole.PRIMARY),
				status(H2, NodeRole.STANDBY).judged(0L, rotation, null), status(H3, NodeRole.STANDBY)), Instant.now());
		for (int i = 0; i < 4; i++) {
			assertThat(selector.choose(snapshot).node()).isEqualTo(H3);
		}
	}

	static Stream<Rotation> outOfRotation() {
		return Stream.of(Rotation.LAGGING, Rotation.SUSPECT, Rotation.NOT_A_READER);
	}

	@Test
	void aNewSnapshotIsSeenByTheNextChoice() throws Exception {
		ReaderSelector selector = new ReaderSelector(ReadTarget.PREFER_STANDBY, ReadBalance.ROUND_ROBIN, (host) -> 0);
		TopologySnapshot both = snapshot("pss");
		assertThat(List.of(selector.choose(both).node(), selector.choose(both).node())).containsExactlyInAnyOrder(H2,
				H3);
		TopologySnapshot oneLagging = new TopologySnapshot(List.of(status(H1, NodeRole.PRIMARY),
				status(H2, NodeRole.STANDBY).judged(0L, Rotation.LAGGING, null), status(H3, NodeRole.STANDBY)),
				Instant.now());
		for (int i = 0; i < 4; i++) {
			assertThat(selector.choose(oneLagging).node()).isEqualTo(H3);
		}
		assertThat(selector.choose(snapshot("p--")).node()).isEqualTo(H1);
	}

	@Test
	void aReadThatMustSeeAWriteGoesToAStandbyThatReplayedIt() {
		ReaderSelector selector = new ReaderSelector(ReadTarget.PREFER_STANDBY, ReadBalance.ROUND_ROBIN, (host) -> 0);
		TopologySnapshot snapshot = new TopologySnapshot(
				List.of(status(H1, NodeRole.PRIMARY), standbyAt(H2, new Lsn(90)), standbyAt(H3, new Lsn(120))),
				Instant.now());
		for (int i = 0; i < 4; i++) {
			ReadChoice choice = selector.chooseConsistent(snapshot, new Lsn(100));
			assertThat(choice.node()).isEqualTo(H3);
			assertThat(choice.reason()).isEqualTo(ReadChoice.Reason.CONSISTENT_STANDBY);
		}
		List<HostAndPort> both = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			both.add(selector.chooseConsistent(snapshot, new Lsn(80)).node());
		}
		assertThat(both).containsOnly(H2, H3).contains(H2, H3);
	}

	@Test
	void whenNoStandbyReplayedTheWriteTheFurthestOneIsTriedElseThePrimary() {
		ReaderSelector selector = new ReaderSelector(ReadTarget.PREFER_STANDBY, ReadBalance.ROUND_ROBIN, (host) -> 0);
		TopologySnapshot snapshot = new TopologySnapshot(
				List.of(status(H1, NodeRole.PRIMARY), standbyAt(H2, new Lsn(90)), standbyAt(H3, new Lsn(95))),
				Instant.now());
		assertThat(selector.chooseConsistent(snapshot, new Lsn(100)).node()).isEqualTo(H3);
		assertThat(selector.chooseConsistent(snapshot, new Lsn(100), (node) -> !node.equals(H3)).node()).isEqualTo(H2);
		ReadChoice primary = selector.chooseConsistent(snapshot, new Lsn(100), (node) -> false);
		assertThat(primary.node()).isEqualTo(H1);
		assertThat(primary.reason()).isEqualTo(ReadChoice.Reason.CONSISTENCY_PRIMARY);
		assertThat(selector.chooseConsistent(snapshot, null).reason()).isEqualTo(ReadChoice.Reason.CONSISTENCY_PRIMARY);
	}

	@Test
	void anUnconfirmedStandbyServesOrdinaryReadsButNeverOnesThatMustSeeAPosition() throws Exception {
		ReaderSelector selector = new ReaderSelector(ReadTarget.PREFER_STANDBY, ReadBalance.ROUND_ROBIN, (host) -> 0);
		TopologySnapshot snapshot = new TopologySnapshot(List.of(status(H1, NodeRole.PRIMARY),
				standbyAt(H2, new Lsn(500)).judged(0L, Rotation.UNCONFIRMED, null)), Instant.now());
		assertThat(selector.choose(snapshot).node()).isEqualTo(H2);
		ReadChoice consistent = selector.chooseConsistent(snapshot, new Lsn(100));
		assertThat(consistent.node()).isEqualTo(H1);
		assertThat(consistent.reason()).isEqualTo(ReadChoice.Reason.CONSISTENCY_PRIMARY);
	}

	private static NodeStatus standbyAt(HostAndPort node, Lsn replayed) {
		return NodeStatus.answered(node, NodeRole.STANDBY, replayed, replayed, null, Duration.ZERO);
	}

	@Test
	void choosesAmongAllowedStandbysOnly() throws Exception {
		ReaderSelector selector = new ReaderSelector(ReadTarget.PREFER_STANDBY, ReadBalance.ROUND_ROBIN, (host) -> 0);
		for (int i = 0; i < 4; i++) {
			assertThat(selector.choose(snapshot("pss"), (node) -> !node.equals(H2)).node()).isEqualTo(H3);
		}
		ReadChoice fallback = selector.choose(snapshot("pss"), (node) -> false);
		assertThat(fallback.node()).isEqualTo(H1);
		assertThat(fallback.reason()).isEqualTo(ReadChoice.Reason.NO_STANDBY);
	}

	private static TopologySnapshot snapshot(String roles) {
		List<NodeStatus> nodes = new ArrayList<>();
		for (int i = 0; i < roles.length(); i++) {
			HostAndPort node = ALL.get(i);
			nodes.add(switch (roles.charAt(i)) {
				case 'p' -> status(node, NodeRole.PRIMARY);
				case 's' -> status(node, NodeRole.STANDBY);
				default -> NodeStatus.unreachable(node, "connection refused");
			});
		}
		return new TopologySnapshot(nodes, Instant.now());
	}

	private static NodeStatus status(HostAndPort node, NodeRole role) {
		return NodeStatus.answered(node, role, new Lsn(100), null, null, Duration.ZERO);
	}

}

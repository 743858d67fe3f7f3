package dev.tandem.routing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.tandem.ReadZone;
import dev.tandem.UnknownZoneException;
import dev.tandem.wal.Lsn;
import dev.tandem.topology.NodeRole;
import dev.tandem.topology.NodeStatus;
import dev.tandem.topology.TopologySnapshot;
import dev.tandem.url.HostAndPort;
import dev.tandem.url.ReadTarget;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for the choice of a standby by zone and by round trip ({@link ReadZones},
 * {@link ReaderSelector}, {@link ReadZone}).
 */
class ZoneSelectionTests {

	private static final HostAndPort H1 = new HostAndPort("h1", 5432);

	private static final HostAndPort H2 = new HostAndPort("h2", 5432);

	private static final HostAndPort H3 = new HostAndPort("h3", 5432);

	private static final HostAndPort H4 = new HostAndPort("h4", 5432);

	private static final List<HostAndPort> NODES = List.of(H1, H2, H3, H4);

	private static final Map<HostAndPort, Long> NO_ROUND_TRIPS = Map.of();

	@Test
	void readsGoToTheStandbysOfTheInstancesZone() throws Exception {
		ReaderSelector selector = selector("b", ReadBalance.ROUND_ROBIN, NO_ROUND_TRIPS);
		for (int i = 0; i < 10; i++) {
			ReadChoice choice = selector.choose(snapshot("psss"));
			assertThat(choice.node()).isEqualTo(H3);
			assertThat(choice.reason()).isEqualTo(ReadChoice.Reason.ZONE);
		}
	}

	@Test
	void withNoEligibleStandbyInTheZoneReadsGoToTheNearestOtherOne() throws Exception {
		ReaderSelector selector = selector("b", ReadBalance.ROUND_ROBIN, Map.of(H2, 300_000L, H4, 25_000_000L));
		for (int i = 0; i < 10; i++) {
			ReadChoice choice = selector.choose(snapshot("ps-s"));
			assertThat(choice.node()).isEqualTo(H2);
			assertThat(choice.reason()).isEqualTo(ReadChoice.Reason.OTHER_ZONE);
		}
	}

	@Test
	void withNoRoundTripKnownReadsThatLeaveTheirZoneSpreadOverTheOthers() throws Exception {
		ReaderSelector selector = selector("b", ReadBalance.ROUND_ROBIN, NO_ROUND_TRIPS);
		List<HostAndPort> nodes = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			nodes.add(selector.choose(snapshot("ps-s")).node());
		}
		assertThat(nodes).containsOnly(H2, H4).contains(H2, H4);
	}

	@Test
	void aZoneSetForTheWorkWinsOverTheInstancesOwn() throws Exception {
		ReaderSelector selector = selector("b", ReadBalance.ROUND_ROBIN, NO_ROUND_TRIPS);
		assertThat(ReadZone.callWith("a", () -> selector.choose(snapshot("psss")).node())).isEqualTo(H2);
		List<ReadChoice> inC = new ArrayList<>();
		ReadZone.runWith("c", () -> inC.add(selector.chooseConsistent(snapshot("psss"), new Lsn(50))));
		assertThat(inC).extracting(ReadChoice::node).containsExactly(H4);
		assertThat(selector.choose(snapshot("psss")).node()).isEqualTo(H3);
	}

	@Test
	void aReadThatMustSeeAWritePrefersAStandbyOfItsZoneThatReplayedIt() {
		ReaderSelector selector = selector("b", ReadBalance.ROUND_ROBIN, NO_ROUND_TRIPS);
		TopologySnapshot snapshot = new TopologySnapshot(List.of(status(H1, NodeRole.PRIMARY, 200),
				status(H2, NodeRole.STANDBY, 150), status(H3, NodeRole.STANDBY, 150), status(H4, NodeRole.STANDBY, 90)),
				Instant.now());
		for (int i = 0; i < 4; i++) {
			ReadChoice choice = selector.chooseConsistent(snapshot, new Lsn(100));
			assertThat(choice.node()).isEqualTo(H3);
			assertThat(choice.reason()).isEqualTo(ReadChoice.Reason.CONSISTENT_STANDBY);
		}
		// Its zone's standby has not replayed it: another that has.
		assertThat(selector.chooseConsistent(snapshot, new Lsn(100), (node) -> !node.equals(H3)).node()).isEqualTo(H2);
	}

	@Test
	void nearestSpreadsOverTheStandbysWithinAMarginOfTheFastest() throws Exception {
		ReaderSelector selector = new ReaderSelector(ReadTarget.PREFER_STANDBY, ReadBalance.NEAREST, (node) -> 0,
				ReadZones.NONE, roundTrips(Map.of(H2, 300_000L, H3, 500_000L, H4, 21_000_000L)));
		List<HostAndPort> nodes = new ArrayList<>();
		for (int i = 0; i < 10; i++) {
			ReadChoice choice = selector.choose(snapshot("psss"));
			assertThat(choice.reason()).isEqualTo(ReadChoice.Reason.STANDBY);
			nodes.add(choice.node());
		}
		assertThat(nodes).containsOnly(H2, H3).contains(H2, H3);
	}

	@Test
	void nearestUsesEveryStandbyUntilRoundTripsAreMeasured() throws Exception {
		ReaderSelector selector = new ReaderSelector(ReadTarget.PREFER_STANDBY, ReadBalance.NEAREST, (node) -> 0,
				ReadZones.NONE, roundTrips(NO_ROUND_TRIPS));
		List<HostAndPort> nodes = new ArrayList<>();
		for (int i = 0; i < 6; i++) {
			nodes.add(selector.choose(snapshot("psss")).node());
		}
		assertThat(nodes).containsOnly(H2, H3, H4).contains(H2, H3, H4);
	}

	@Test
	void anUnknownZoneOfTheInstanceFailsNamingTheZoneAndTheKnownOnes() {
		assertThatExceptionOfType(InvalidZonesException.class).isThrownBy(() -> ReadZones.of(zones(), "eu-wset", NODES))
			.withMessageContaining("tandem.reads.zone names the zone 'eu-wset'")
			.withMessageContaining("[a, b, c]");
	}

	@Test
	void aZoneHostThatIsNotANodeOfTheUrlFailsNamingIt() {
		assertThatExceptionOfType(InvalidZonesException.class)
			.isThrownBy(() -> ReadZones.of(Map.of("a", List.of("h9:5432")), null, NODES))
			.withMessageContaining("tandem.zones.a: 'h9:5432' is not a node of the cluster URL")
			.withMessageContaining("h1:5432");
	}

	@Test
	void aHostInTwoZonesFails() {
		Map<String, List<String>> zones = new LinkedHashMap<>();
		zones.put("a", List.of("h2:5432"));
		zones.put("b", List.of("h2:5432"));
		assertThatExceptionOfType(InvalidZonesException.class).isThrownBy(() -> ReadZones.of(zones, null, NODES))
			.withMessageContaining("'h2:5432' is in two zones, 'a' and 'b'");
	}

	@Test
	void readZoneRefusesAZoneThatIsNotConfigured() {
		ReadZones.of(zones(), "b", NODES);
		assertThatExceptionOfType(UnknownZoneException.class)
			.isThrownBy(() -> ReadZone.callWith("d", () -> "never run"))
			.withMessageContaining("ReadZone names the zone 'd'")
			.withMessageContaining("[a, b, c]");
		assertThat(ReadZone.current()).isNull();
	}

	@Test
	void withoutZonesNoZoneApplies() {
		ReadZones none = ReadZones.of(Map.of(), null, NODES);
		assertThat(none.isEmpty()).isTrue();
		assertThat(none.current()).isNull();
		assertThat(none.names()).isEqualTo(Set.of());
	}

	private static ReaderSelector selector(String home, ReadBalance balance, Map<HostAndPort, Long> roundTrips) {
		return new ReaderSelector(ReadTarget.PREFER_STANDBY, balance, (node) -> 0, ReadZones.of(zones(), home, NODES),
				roundTrips(roundTrips));
	}

	private static java.util.function.ToLongFunction<HostAndPort> roundTrips(Map<HostAndPort, Long> roundTrips) {
		return (node) -> roundTrips.getOrDefault(node, -1L);
	}

	/** Zone a: h2; b: h3; c: h4. */
	private static Map<String, List<String>> zones() {
		Map<String, List<String>> zones = new LinkedHashMap<>();
		zones.put("a", List.of("h2:5432"));
		zones.put("b", List.of(" h3:5432"));
		zones.put("c", List.of("h4:5432"));
		return zones;
	}

	private static TopologySnapshot snapshot(String roles) {
		List<NodeStatus> nodes = new ArrayList<>();
		for (int i = 0; i < roles.length(); i++) {
			HostAndPort node = NODES.get(i);
			nodes.add(switch (roles.charAt(i)) {
				case 'p' -> status(node, NodeRole.PRIMARY, 100);
				case 's' -> status(node, NodeRole.STANDBY, 100);
				default -> NodeStatus.unreachable(node, "connection refused");
			});
		}
		return new TopologySnapshot(nodes, Instant.now());
	}

	private static NodeStatus status(HostAndPort node, NodeRole role, long lsn) {
		return NodeStatus.answered(node, role, new Lsn(lsn), new Lsn(lsn), null, Duration.ZERO);
	}

}

package dev.tandem.routing;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RoutingContextTests {

	@Test
	void anInnerScopeWinsUntilItCloses() {
		try (RoutingContext.Scope outer = RoutingContext.open(Route.PRIMARY)) {
			try (RoutingContext.Scope inner = RoutingContext.open(Route.REPLICA)) {
				assertThat(RoutingContext.current()).isEqualTo(Route.REPLICA);
			}
			assertThat(RoutingContext.current()).isEqualTo(Route.PRIMARY);
		}
		assertThat(RoutingContext.current()).isNull();
	}

	@Test
	void closingAScopeTwiceLeavesTheOuterRouteInForce() {
		// Issue 13, item 14: a second close popped the outer route.
		try (RoutingContext.Scope outer = RoutingContext.open(Route.PRIMARY)) {
			RoutingContext.Scope inner = RoutingContext.open(Route.REPLICA);
			inner.close();
			inner.close();
			assertThat(RoutingContext.current()).isEqualTo(Route.PRIMARY);
		}
		assertThat(RoutingContext.current()).isNull();
	}

}

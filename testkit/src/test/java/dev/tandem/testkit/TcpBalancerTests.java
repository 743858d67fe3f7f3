/*
 * Copyright 2026 the original author or authors.
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *      https://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

package dev.tandem.testkit;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link TcpBalancer} that need no server behind it.
 *
 * @author Tandem contributors
 */
class TcpBalancerTests {

	private final InetSocketAddress backend = new InetSocketAddress("127.0.0.1", FreePorts.next(Set.of()));

	@Test
	void listensOnAnEphemeralLoopbackPortByDefault() {
		try (TcpBalancer balancer = TcpBalancer.forAddresses(List.of(this.backend))) {
			assertThat(balancer.host()).isEqualTo("127.0.0.1");
			assertThat(balancer.port()).isPositive();
			assertThat(balancer.backends()).containsExactly(this.backend);
			assertThat(balancer.jdbcUrl("app db"))
				.isEqualTo("jdbc:postgresql://127.0.0.1:" + balancer.port() + "/app%20db");
			assertThat(balancer.connections(this.backend)).isZero();
			assertThat(balancer.openConnections()).isZero();
		}
	}

	@Test
	void listensOnAGivenPort() {
		int port = FreePorts.next(Set.of());
		try (TcpBalancer balancer = TcpBalancer.forAddresses(port, List.of(this.backend))) {
			assertThat(balancer.port()).isEqualTo(port);
		}
	}

	@Test
	void needsDistinctResolvedBackends() {
		assertThatIllegalArgumentException().isThrownBy(() -> TcpBalancer.forAddresses(List.of()))
			.withMessageContaining("at least one backend");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> TcpBalancer.forAddresses(List.of(this.backend, this.backend)))
			.withMessageContaining("given twice");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> TcpBalancer.forAddresses(List.of(InetSocketAddress.createUnresolved("nowhere", 5432))))
			.withMessageContaining("unresolved");
		assertThatIllegalArgumentException().isThrownBy(() -> TcpBalancer.forAddresses(-1, List.of(this.backend)))
			.withMessageContaining("port");
	}

	@Test
	void delayAndConnectionsNeedOneOfItsBackends() {
		try (TcpBalancer balancer = TcpBalancer.forAddresses(List.of(this.backend))) {
			InetSocketAddress other = new InetSocketAddress("127.0.0.1", this.backend.getPort() + 1);
			assertThatIllegalArgumentException().isThrownBy(() -> balancer.connections(other))
				.withMessageContaining("is not a backend");
			assertThatIllegalArgumentException().isThrownBy(() -> balancer.delay(other, Duration.ofMillis(20)))
				.withMessageContaining("is not a backend");
			assertThatIllegalArgumentException().isThrownBy(() -> balancer.delay(this.backend, Duration.ofMillis(-1)))
				.withMessageContaining("zero or more");
			balancer.delay(new InetSocketAddress("localhost", this.backend.getPort()), Duration.ofMillis(20));
		}
	}

	@Test
	void closeEndsItsThreadsAndCanBeCalledAgain() {
		TcpBalancer balancer = TcpBalancer.forAddresses(List.of(this.backend));
		String prefix = "tandem-balancer-" + balancer.port() + "-";
		assertThat(TcpBalancerIntegrationTests.threadsNamed(prefix)).isNotEmpty();
		balancer.close();
		assertThat(TcpBalancerIntegrationTests.threadsNamed(prefix)).isEmpty();
		balancer.close();
	}

}

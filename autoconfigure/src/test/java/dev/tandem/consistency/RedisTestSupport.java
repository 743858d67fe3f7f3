package dev.tandem.consistency;

import java.time.Duration;
import java.util.Set;

import dev.tandem.testkit.RedisCluster;
import dev.tandem.testkit.RedisSentinel;
import dev.tandem.testkit.RedisServer;

import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.RedisConfiguration;
import org.springframework.data.redis.connection.RedisSentinelConfiguration;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Redis connections for tests, with short timeouts so that a stopped server fails calls
 * quickly. Public for the tests of the {@code redis} package.
 */
public final class RedisTestSupport {

	private RedisTestSupport() {
	}

	public static LettuceConnectionFactory connectionFactory(RedisServer server) {
		return connectionFactory(new RedisStandaloneConfiguration(server.host(), server.port()));
	}

	public static LettuceConnectionFactory connectionFactory(RedisServer server, String username, String password) {
		RedisStandaloneConfiguration configuration = new RedisStandaloneConfiguration(server.host(), server.port());
		configuration.setUsername(username);
		configuration.setPassword(password);
		return connectionFactory(configuration);
	}

	public static LettuceConnectionFactory connectionFactory(RedisSentinel sentinel) {
		return connectionFactory(
				new RedisSentinelConfiguration(sentinel.masterName(), Set.copyOf(sentinel.sentinelAddresses())));
	}

	public static LettuceConnectionFactory connectionFactory(RedisCluster cluster) {
		return connectionFactory(new RedisClusterConfiguration(cluster.nodeAddresses()));
	}

	private static LettuceConnectionFactory connectionFactory(RedisConfiguration configuration) {
		LettuceConnectionFactory factory = new LettuceConnectionFactory(configuration,
				LettuceClientConfiguration.builder().commandTimeout(Duration.ofMillis(500)).build());
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}

}

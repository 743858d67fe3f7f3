package dev.tandem.consistency.redis;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.RedisConfiguration;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisNode;
import org.springframework.data.redis.connection.RedisPassword;
import org.springframework.data.redis.connection.RedisSentinelConfiguration;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Where the near cache's own connections go, read from the application's connection
 * factory: the standalone server, the master a Sentinel names, or a Cluster's masters;
 * with the same credentials as the application's.
 */
final class RedisEndpoints {

	private static final int TIMEOUT_MILLIS = 2000;

	private static final Comparator<InetSocketAddress> BY_ADDRESS = Comparator
		.comparing(InetSocketAddress::getHostString)
		.thenComparingInt(InetSocketAddress::getPort);

	private RedisEndpoints() {
	}

	/**
	 * The endpoints of a connection factory.
	 * @param factory the application's connection factory
	 * @return the endpoints, or {@code null} when the factory's set-up is not one the
	 * near cache's own connections can reach (TLS, a Unix socket, a static master/replica
	 * set-up, another client)
	 */
	static TrackingInvalidations.@Nullable Endpoints of(RedisConnectionFactory factory) {
		ClassLoader classLoader = RedisEndpoints.class.getClassLoader();
		Boolean ssl = null;
		if (ClassUtils.isPresent("io.lettuce.core.RedisClient", classLoader)) {
			ssl = Lettuce.ssl(factory);
		}
		if (ssl == null && ClassUtils.isPresent("redis.clients.jedis.Jedis", classLoader)) {
			ssl = Jedis.ssl(factory);
		}
		if (ssl == null || ssl) {
			return null;
		}
		// The set-up the factory was made with: its getters for a standalone set-up read
		// a default one when it was made with a RedisStandaloneConfiguration.
		Field field = ReflectionUtils.findField(factory.getClass(), "configuration", RedisConfiguration.class);
		if (field == null) {
			return null;
		}
		ReflectionUtils.makeAccessible(field);
		Object configuration = ReflectionUtils.getField(field, factory);
		if (configuration instanceof RedisClusterConfiguration cluster) {
			return new Cluster(factory, cluster);
		}
		if (configuration instanceof RedisSentinelConfiguration sentinel) {
			return new Sentinel(factory, sentinel);
		}
		if (configuration instanceof RedisStandaloneConfiguration standalone) {
			return new Standalone(factory, standalone);
		}
		return null;
	}

	/**
	 * Whether the near cache must go through the application's Lettuce client: TLS or a
	 * Unix socket.
	 * @param factory the application's connection factory
	 * @return whether it must
	 */
	static boolean throughLettuce(RedisConnectionFactory factory) {
		return ClassUtils.isPresent("io.lettuce.core.RedisClient", RedisEndpoints.class.getClassLoader())
				&& Lettuce.tlsOrSocket(factory);
	}

	/** Lettuce's factory, loaded only when Lettuce is there. */
	private static final class Lettuce {

		static boolean tlsOrSocket(RedisConnectionFactory factory) {
			return factory instanceof LettuceConnectionFactory lettuce
					&& (lettuce.isUseSsl() || lettuce.getSocketConfiguration() != null);
		}

		static @Nullable Boolean ssl(RedisConnectionFactory factory) {
			return (factory instanceof LettuceConnectionFactory lettuce) ? lettuce.isUseSsl() : null;
		}

	}

	/** Jedis's factory, loaded only when Jedis is there. */
	private static final class Jedis {

		static @Nullable Boolean ssl(RedisConnectionFactory factory) {
			return (factory instanceof JedisConnectionFactory jedis) ? jedis.isUseSsl() : null;
		}

	}

	/**
	 * The masters in the output of {@code CLUSTER NODES}.
	 * @param nodes the output
	 * @return the masters' addresses, sorted
	 */
	static List<InetSocketAddress> clusterMasters(String nodes) {
		List<InetSocketAddress> masters = new ArrayList<>();
		for (String line : nodes.split("\n")) {
			String[] fields = line.trim().split(" ");
			if (fields.length < 3) {
				continue;
			}
			Set<String> flags = Set.of(fields[2].split(","));
			if (!flags.contains("master") || flags.contains("fail") || flags.contains("noaddr")
					|| flags.contains("handshake")) {
				continue;
			}
			// ip:port@cport[,hostname]
			String address = fields[1].split("[@,]")[0];
			int colon = address.lastIndexOf(':');
			int port = (colon > 0) ? Integer.parseInt(address.substring(colon + 1)) : 0;
			if (port > 0) {
				masters.add(InetSocketAddress.createUnresolved(address.substring(0, colon), port));
			}
		}
		masters.sort(BY_ADDRESS);
		return masters;
	}

	/** Asks one server something, with credentials when given. */
	private static @Nullable Object ask(RedisNode node, @Nullable String username, @Nullable RedisPassword password,
			String... command) throws IOException {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(node.getHost(), node.getPort()), TIMEOUT_MILLIS);
			socket.setSoTimeout(TIMEOUT_MILLIS);
			OutputStream out = socket.getOutputStream();
			TrackingInvalidations.Blocking replies = new TrackingInvalidations.Blocking(socket.getInputStream(),
					new Resp.Reader());
			char[] secret = (password != null && password.isPresent()) ? password.get() : null;
			if (secret != null) {
				out.write((username != null) ? Resp.command("AUTH", username, new String(secret))
						: Resp.command("AUTH", new String(secret)));
			}
			out.write(Resp.command(command));
			out.flush();
			if (secret != null) {
				replies.expect("AUTH", "OK"::equals);
			}
			return replies.expect(command[0], (reply) -> true);
		}
	}

	private static @Nullable String username(@Nullable String username) {
		return (username != null && !username.isEmpty()) ? username : null;
	}

	private static @Nullable String password(@Nullable RedisPassword password) {
		return (password != null && password.isPresent()) ? new String(password.get()) : null;
	}

	/** Asks one node where the masters are: an empty answer when it does not know. */
	@FunctionalInterface
	private interface MastersQuery {

		List<InetSocketAddress> ask(RedisNode node) throws IOException;

	}

	/**
	 * The masters as the first node that knows them says.
	 * @param what what the nodes are, for messages
	 * @param nodes the nodes to ask in turn
	 * @param query how to ask one
	 */
	private static List<InetSocketAddress> firstAnswer(String what, Iterable<RedisNode> nodes, MastersQuery query)
			throws IOException {
		IOException failure = null;
		for (RedisNode node : nodes) {
			try {
				List<InetSocketAddress> masters = query.ask(node);
				if (!masters.isEmpty()) {
					return masters;
				}
				failure = new IOException(what + " " + node + " knows no master");
			}
			catch (IOException | RuntimeException ex) {
				failure = new IOException(what + " " + node + ": " + ex.getMessage(), ex);
			}
		}
		throw (failure != null) ? failure : new IOException("no " + what + " is configured");
	}

	private abstract static class Base implements TrackingInvalidations.Endpoints {

		private final RedisConnectionFactory factory;

		private final @Nullable String username;

		private final @Nullable String password;

		Base(RedisConnectionFactory factory, @Nullable String username, @Nullable RedisPassword password) {
			this.factory = factory;
			this.username = RedisEndpoints.username(username);
			this.password = RedisEndpoints.password(password);
		}

		@Override
		public @Nullable String username() {
			return this.username;
		}

		@Override
		public @Nullable String password() {
			return this.password;
		}

		@Override
		public boolean cluster() {
			return false;
		}

		@Override
		public boolean sameServer(String runId) {
			try (RedisConnection connection = this.factory.getConnection()) {
				Properties info = connection.serverCommands().info("server");
				return info != null && runId.equals(info.getProperty("run_id"));
			}
		}

	}

	private static final class Standalone extends Base {

		private final RedisStandaloneConfiguration configuration;

		Standalone(RedisConnectionFactory factory, RedisStandaloneConfiguration configuration) {
			super(factory, configuration.getUsername(), configuration.getPassword());
			this.configuration = configuration;
		}

		@Override
		public List<InetSocketAddress> masters() {
			return List
				.of(InetSocketAddress.createUnresolved(this.configuration.getHostName(), this.configuration.getPort()));
		}

	}

	private static final class Sentinel extends Base {

		private final RedisSentinelConfiguration configuration;

		Sentinel(RedisConnectionFactory factory, RedisSentinelConfiguration configuration) {
			super(factory, configuration.getDataNodeUsername(), configuration.getDataNodePassword());
			this.configuration = configuration;
		}

		@Override
		public List<InetSocketAddress> masters() throws IOException {
			String master = this.configuration.getMaster().getName();
			return firstAnswer("Sentinel", this.configuration.getSentinels(), (sentinel) -> {
				Object reply = ask(sentinel, RedisEndpoints.username(this.configuration.getSentinelUsername()),
						this.configuration.getSentinelPassword(), "SENTINEL", "GET-MASTER-ADDR-BY-NAME", master);
				return (reply instanceof List<?> address && address.size() == 2) ? List.of(InetSocketAddress
					.createUnresolved((String) address.get(0), Integer.parseInt((String) address.get(1)))) : List.of();
			});
		}

	}

	private static final class Cluster extends Base {

		private final RedisClusterConfiguration configuration;

		Cluster(RedisConnectionFactory factory, RedisClusterConfiguration configuration) {
			super(factory, configuration.getUsername(), configuration.getPassword());
			this.configuration = configuration;
		}

		@Override
		public List<InetSocketAddress> masters() throws IOException {
			return firstAnswer("Cluster node", this.configuration.getClusterNodes(), (node) -> {
				Object reply = ask(node, username(), this.configuration.getPassword(), "CLUSTER", "NODES");
				return (reply instanceof String nodes) ? clusterMasters(nodes) : List.of();
			});
		}

		@Override
		public boolean cluster() {
			return true;
		}

	}

}

package dev.tandem.autoconfigure;

import dev.tandem.ReadFromPrimary;
import dev.tandem.ReadFromReplica;

import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;

/**
 * What Tandem reaches by reflection, for applications built ahead of time (Spring AOT,
 * native images):
 * <ul>
 * <li>the private {@code configuration} field of Spring Data Redis's Lettuce and Jedis
 * connection factories, which the near cache reads to find where its own connections
 * go;</li>
 * <li>the classes whose presence Tandem checks by name (Lettuce, Jedis, the Servlet API
 * and Spring's request context);</li>
 * <li>{@link ReadFromPrimary} and {@link ReadFromReplica}, read from application methods
 * and repository interfaces.</li>
 * </ul>
 * Tandem loads no resource of its own: its Lua scripts are strings in code, and its
 * failure analyzers are listed in {@code META-INF/spring.factories}, which Spring
 * registers itself.
 */
class TandemRuntimeHints implements RuntimeHintsRegistrar {

	static final String[] REDIS_CONNECTION_FACTORIES = {
			"org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory",
			"org.springframework.data.redis.connection.jedis.JedisConnectionFactory" };

	static final String[] CHECKED_BY_NAME = { "io.lettuce.core.RedisClient", "redis.clients.jedis.Jedis",
			"jakarta.servlet.http.HttpServletRequest", "org.springframework.web.context.request.RequestContextHolder" };

	@Override
	public void registerHints(RuntimeHints hints, ClassLoader classLoader) {
		for (String factory : REDIS_CONNECTION_FACTORIES) {
			hints.reflection().registerType(TypeReference.of(factory), (type) -> type.withField("configuration"));
		}
		for (String type : CHECKED_BY_NAME) {
			hints.reflection().registerType(TypeReference.of(type));
		}
		hints.reflection()
			.registerType(ReadFromPrimary.class, MemberCategory.INVOKE_PUBLIC_METHODS)
			.registerType(ReadFromReplica.class, MemberCategory.INVOKE_PUBLIC_METHODS);
	}

}

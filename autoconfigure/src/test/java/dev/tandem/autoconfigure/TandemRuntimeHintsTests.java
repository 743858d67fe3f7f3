package dev.tandem.autoconfigure;

import java.lang.reflect.Field;

import dev.tandem.ReadFromPrimary;
import dev.tandem.ReadFromReplica;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.aot.generate.ClassNameGenerator;
import org.springframework.aot.generate.DefaultGenerationContext;
import org.springframework.aot.generate.InMemoryGeneratedFiles;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.TypeHint;
import org.springframework.aot.hint.TypeReference;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.aot.ApplicationContextAotGenerator;
import org.springframework.data.redis.connection.RedisConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.javapoet.ClassName;
import org.springframework.util.ReflectionUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link TandemRuntimeHints}: the hints an application processed ahead of time
 * gets from Tandem's auto-configuration.
 */
class TandemRuntimeHintsTests {

	private static RuntimeHints hints;

	@BeforeAll
	static void processAheadOfTime() {
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext()) {
			TestPropertyValues.of("tandem.url=postgresql://127.0.0.1:1,127.0.0.1:2/db").applyTo(context);
			context.register(TandemAutoConfiguration.class);
			DefaultGenerationContext generation = new DefaultGenerationContext(
					new ClassNameGenerator(ClassName.get("dev.tandem.aot", "Application")),
					new InMemoryGeneratedFiles());
			new ApplicationContextAotGenerator().processAheadOfTime(context, generation);
			hints = generation.getRuntimeHints();
		}
	}

	@Test
	void theNearCacheMayReadTheConfigurationOfARedisConnectionFactory() {
		// What RedisEndpoints reads.
		Field field = ReflectionUtils.findField(LettuceConnectionFactory.class, "configuration",
				RedisConfiguration.class);
		assertThat(field).isNotNull();
		assertThat(RuntimeHintsPredicates.reflection().onFieldAccess(field)).accepts(hints);
		TypeHint jedis = hints.reflection()
			.getTypeHint(TypeReference.of("org.springframework.data.redis.connection.jedis.JedisConnectionFactory"));
		assertThat(jedis).isNotNull();
		assertThat(jedis.fields()).anySatisfy((hint) -> assertThat(hint.getName()).isEqualTo("configuration"));
	}

	@Test
	void classesCheckedByNameAreRegistered() {
		for (String type : new String[] { "io.lettuce.core.RedisClient", "redis.clients.jedis.Jedis",
				"jakarta.servlet.http.HttpServletRequest",
				"org.springframework.web.context.request.RequestContextHolder" }) {
			assertThat(RuntimeHintsPredicates.reflection().onType(TypeReference.of(type))).as(type).accepts(hints);
		}
	}

	@Test
	void routingAnnotationsAreRegistered() {
		assertThat(RuntimeHintsPredicates.reflection().onType(ReadFromPrimary.class)).accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection().onType(ReadFromReplica.class)).accepts(hints);
	}

	@Test
	void poolSettingsCanBeBound() {
		assertThat(RuntimeHintsPredicates.reflection()
			.onMethodInvocation(TandemProperties.Hikari.class, "setMaximumPoolSize")).accepts(hints);
	}

}

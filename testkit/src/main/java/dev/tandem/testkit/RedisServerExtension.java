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

import java.util.function.Consumer;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that shares one {@link RedisServer} per test class. Register it in a
 * {@code static} field:
 *
 * <pre class="code">
 * &#64;RegisterExtension
 * static final RedisServerExtension redis = RedisServerExtension.create();
 * </pre>
 *
 * The server starts before the first test and is closed after the last one (including
 * those of {@code @Nested} classes). Its folder is named after the test class's simple
 * name with {@code -redis} appended, so it does not clash with a
 * {@link PostgresClusterExtension} of the same class. Test methods and constructors may
 * declare a {@link RedisServer} parameter. A test that {@link RedisServer#stop() stops}
 * the server should {@link RedisServer#start() start} it again for the tests after it.
 *
 * @author Tandem contributors
 */
public final class RedisServerExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

	private Consumer<RedisServer.Builder> customizer = (builder) -> {
	};

	private RedisServer server;

	private int depth;

	private RedisServerExtension() {
	}

	/**
	 * Return an extension for a server with the defaults of {@link RedisServer.Builder}.
	 * @return a new extension
	 */
	public static RedisServerExtension create() {
		return new RedisServerExtension();
	}

	/**
	 * Customize the server before it starts, for example to fix its port. Applied after
	 * the extension's own choice of folder name, so it may override it.
	 * @param customizer the customizer of the builder
	 * @return this extension
	 */
	public RedisServerExtension configure(Consumer<RedisServer.Builder> customizer) {
		this.customizer = this.customizer.andThen(customizer);
		return this;
	}

	@Override
	public synchronized void beforeAll(ExtensionContext context) {
		this.depth++;
		if (this.server == null) {
			RedisServer.Builder builder = RedisServer.builder()
				.name(context.getRequiredTestClass().getSimpleName() + "-redis");
			this.customizer.accept(builder);
			this.server = builder.start();
		}
	}

	@Override
	public synchronized void afterAll(ExtensionContext context) {
		if (--this.depth == 0 && this.server != null) {
			try {
				this.server.close();
			}
			finally {
				this.server = null;
			}
		}
	}

	@Override
	public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
		return parameterContext.getParameter().getType() == RedisServer.class;
	}

	@Override
	public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
		RedisServer server = this.server;
		if (server == null) {
			throw new ParameterResolutionException(
					"No Redis server is running: register RedisServerExtension in a static field");
		}
		return server;
	}

	/**
	 * Return the server.
	 * @return the server
	 * @throws IllegalStateException outside the test class's lifecycle, or when the
	 * extension is not registered in a static field
	 */
	public synchronized RedisServer server() {
		if (this.server == null) {
			throw new IllegalStateException(
					"No Redis server is running: RedisServerExtension starts it before all tests "
							+ "and must be registered in a static field");
		}
		return this.server;
	}

	/**
	 * Return the server's URL, such as {@code redis://127.0.0.1:6379}.
	 * @return the URL
	 * @see RedisServer#url()
	 */
	public String url() {
		return server().url();
	}

}

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

import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that shares one {@link RedisSentinel} (a master, a replica and three
 * sentinels) per test class. Register it in a {@code static} field:
 *
 * <pre class="code">
 * &#64;RegisterExtension
 * static final RedisSentinelExtension sentinel = RedisSentinelExtension.create();
 * </pre>
 *
 * The set-up starts before the first test and is closed after the last one (including
 * those of {@code @Nested} classes). Its folder is named after the test class's simple
 * name with {@code -sentinel} appended. Test methods and constructors may declare a
 * {@link RedisSentinel} parameter. A test that calls {@link RedisSentinel#failover()}
 * leaves the master moved for the tests after it; destructive tests are better off with a
 * set-up of their own.
 *
 * @author Tandem contributors
 */
public final class RedisSentinelExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

	private Consumer<RedisSentinel.Builder> customizer = (builder) -> {
	};

	private RedisSentinel sentinel;

	private int depth;

	private RedisSentinelExtension() {
	}

	/**
	 * Return an extension for a set-up with the defaults of
	 * {@link RedisSentinel.Builder}.
	 * @return a new extension
	 */
	public static RedisSentinelExtension create() {
		return new RedisSentinelExtension();
	}

	/**
	 * Customize the set-up before it starts, for example to name it. Applied after the
	 * extension's own choice of folder name, so it may override it.
	 * @param customizer the customizer of the builder
	 * @return this extension
	 */
	public RedisSentinelExtension configure(Consumer<RedisSentinel.Builder> customizer) {
		this.customizer = this.customizer.andThen(customizer);
		return this;
	}

	@Override
	public synchronized void beforeAll(ExtensionContext context) {
		this.depth++;
		if (this.sentinel == null) {
			RedisSentinel.Builder builder = RedisSentinel.builder()
				.name(context.getRequiredTestClass().getSimpleName() + "-sentinel");
			this.customizer.accept(builder);
			this.sentinel = builder.start();
		}
	}

	@Override
	public synchronized void afterAll(ExtensionContext context) {
		if (--this.depth == 0 && this.sentinel != null) {
			try {
				this.sentinel.close();
			}
			finally {
				this.sentinel = null;
			}
		}
	}

	@Override
	public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
		return parameterContext.getParameter().getType() == RedisSentinel.class;
	}

	@Override
	public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
		RedisSentinel sentinel = this.sentinel;
		if (sentinel == null) {
			throw new ParameterResolutionException(
					"No Redis Sentinel set-up is running: register RedisSentinelExtension in a static field");
		}
		return sentinel;
	}

	/**
	 * Return the set-up.
	 * @return the set-up
	 * @throws IllegalStateException outside the test class's lifecycle, or when the
	 * extension is not registered in a static field
	 */
	public synchronized RedisSentinel sentinel() {
		if (this.sentinel == null) {
			throw new IllegalStateException(
					"No Redis Sentinel set-up is running: RedisSentinelExtension starts it before all tests "
							+ "and must be registered in a static field");
		}
		return this.sentinel;
	}

	/**
	 * Return the master name the sentinels monitor.
	 * @return the master name
	 * @see RedisSentinel#masterName()
	 */
	public String masterName() {
		return sentinel().masterName();
	}

	/**
	 * Return the sentinels' addresses as {@code host:port}.
	 * @return the addresses
	 * @see RedisSentinel#sentinelAddresses()
	 */
	public List<String> sentinelAddresses() {
		return sentinel().sentinelAddresses();
	}

}

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
 * JUnit 5 extension that shares one {@link RedisCluster} (three masters) per test class.
 * Register it in a {@code static} field:
 *
 * <pre class="code">
 * &#64;RegisterExtension
 * static final RedisClusterExtension cluster = RedisClusterExtension.create();
 * </pre>
 *
 * The cluster starts before the first test and is closed after the last one (including
 * those of {@code @Nested} classes). Its folder is named after the test class's simple
 * name with {@code -cluster} appended. Test methods and constructors may declare a
 * {@link RedisCluster} parameter.
 *
 * @author Tandem contributors
 */
public final class RedisClusterExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

	private Consumer<RedisCluster.Builder> customizer = (builder) -> {
	};

	private RedisCluster cluster;

	private int depth;

	private RedisClusterExtension() {
	}

	/**
	 * Return an extension for a cluster with the defaults of
	 * {@link RedisCluster.Builder}.
	 * @return a new extension
	 */
	public static RedisClusterExtension create() {
		return new RedisClusterExtension();
	}

	/**
	 * Customize the cluster before it starts, for example to name it. Applied after the
	 * extension's own choice of folder name, so it may override it.
	 * @param customizer the customizer of the builder
	 * @return this extension
	 */
	public RedisClusterExtension configure(Consumer<RedisCluster.Builder> customizer) {
		this.customizer = this.customizer.andThen(customizer);
		return this;
	}

	@Override
	public synchronized void beforeAll(ExtensionContext context) {
		this.depth++;
		if (this.cluster == null) {
			RedisCluster.Builder builder = RedisCluster.builder()
				.name(context.getRequiredTestClass().getSimpleName() + "-cluster");
			this.customizer.accept(builder);
			this.cluster = builder.start();
		}
	}

	@Override
	public synchronized void afterAll(ExtensionContext context) {
		if (--this.depth == 0 && this.cluster != null) {
			try {
				this.cluster.close();
			}
			finally {
				this.cluster = null;
			}
		}
	}

	@Override
	public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
		return parameterContext.getParameter().getType() == RedisCluster.class;
	}

	@Override
	public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
		RedisCluster cluster = this.cluster;
		if (cluster == null) {
			throw new ParameterResolutionException(
					"No Redis Cluster is running: register RedisClusterExtension in a static field");
		}
		return cluster;
	}

	/**
	 * Return the cluster.
	 * @return the cluster
	 * @throws IllegalStateException outside the test class's lifecycle, or when the
	 * extension is not registered in a static field
	 */
	public synchronized RedisCluster cluster() {
		if (this.cluster == null) {
			throw new IllegalStateException(
					"No Redis Cluster is running: RedisClusterExtension starts it before all tests "
							+ "and must be registered in a static field");
		}
		return this.cluster;
	}

	/**
	 * Return the nodes' addresses as {@code host:port}.
	 * @return the addresses
	 * @see RedisCluster#nodeAddresses()
	 */
	public List<String> nodeAddresses() {
		return cluster().nodeAddresses();
	}

}

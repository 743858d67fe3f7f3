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
 * JUnit 5 extension that shares one {@link PostgresCluster} per test class. Register it
 * in a {@code static} field:
 *
 * <pre class="code">
 * &#64;RegisterExtension
 * static final PostgresClusterExtension cluster = PostgresClusterExtension.withStandbys(2);
 * </pre>
 *
 * The cluster starts before the first test and is closed after the last one (including
 * those of {@code @Nested} classes). Its folder is named after the test class's simple
 * name, so classes do not clash. Test methods and constructors may declare a
 * {@link PostgresCluster} parameter.
 *
 * @author Tandem contributors
 */
public final class PostgresClusterExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

	private final int standbys;

	private Consumer<PostgresCluster.Builder> customizer = (builder) -> {
	};

	private PostgresCluster cluster;

	private int depth;

	private PostgresClusterExtension(int standbys) {
		this.standbys = standbys;
	}

	/**
	 * Return an extension for a cluster with a primary and {@code standbys} standbys.
	 * @param standbys the number of standbys, zero or more
	 * @return a new extension
	 */
	public static PostgresClusterExtension withStandbys(int standbys) {
		if (standbys < 0) {
			throw new IllegalArgumentException("standbys must be zero or more, but was " + standbys);
		}
		return new PostgresClusterExtension(standbys);
	}

	/**
	 * Customize the cluster before it starts, for example to add settings. Applied after
	 * the extension's own choices (standbys and folder name), so it may override them.
	 * @param customizer the customizer of the builder
	 * @return this extension
	 */
	public PostgresClusterExtension configure(Consumer<PostgresCluster.Builder> customizer) {
		this.customizer = this.customizer.andThen(customizer);
		return this;
	}

	@Override
	public synchronized void beforeAll(ExtensionContext context) {
		this.depth++;
		if (this.cluster == null) {
			PostgresCluster.Builder builder = PostgresCluster.builder()
				.standbys(this.standbys)
				.name(context.getRequiredTestClass().getSimpleName());
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
		return parameterContext.getParameter().getType() == PostgresCluster.class;
	}

	@Override
	public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
		PostgresCluster cluster = this.cluster;
		if (cluster == null) {
			throw new ParameterResolutionException(
					"No cluster is running: register PostgresClusterExtension in a static field");
		}
		return cluster;
	}

	/**
	 * Return the running cluster.
	 * @return the cluster
	 * @throws IllegalStateException outside the test class's lifecycle, or when the
	 * extension is not registered in a static field
	 */
	public synchronized PostgresCluster cluster() {
		if (this.cluster == null) {
			throw new IllegalStateException(
					"No cluster is running: PostgresClusterExtension starts it before all tests "
							+ "and must be registered in a static field");
		}
		return this.cluster;
	}

	/**
	 * Return the cluster's multi-host JDBC URL.
	 * @return the JDBC URL
	 * @see PostgresCluster#jdbcUrl()
	 */
	public String jdbcUrl() {
		return cluster().jdbcUrl();
	}

	/**
	 * Return the cluster's multi-host libpq URI with credentials.
	 * @return the libpq URI
	 * @see PostgresCluster#libpqUrl()
	 */
	public String libpqUrl() {
		return cluster().libpqUrl();
	}

}

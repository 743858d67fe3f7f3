package dev.tandem.autoconfigure;

import java.time.Duration;
import java.util.LinkedHashSet;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tandem.consistency.CausalTokenFilter;
import dev.tandem.consistency.ConsistencyKeyResolver;
import dev.tandem.consistency.ConsistencyMode;
import dev.tandem.consistency.DefaultConsistencyKeyResolver;
import dev.tandem.consistency.MarkerStore;
import dev.tandem.consistency.ReadAfter;
import dev.tandem.consistency.ReadConsistency;
import dev.tandem.pool.TandemPools;
import dev.tandem.routing.FailoverListener;
import dev.tandem.routing.LazyRoutingDataSource;
import dev.tandem.routing.ReadZones;
import dev.tandem.routing.ReaderDataSource;
import dev.tandem.routing.ReaderPools;
import dev.tandem.routing.ReaderSelector;
import dev.tandem.routing.RoutingAdvisor;
import dev.tandem.routing.RoutingInterceptor;
import dev.tandem.routing.RoutingObserver;
import dev.tandem.routing.ServerChecks;
import dev.tandem.routing.TandemRoutingDataSource;
import dev.tandem.routing.TandemTaskDecorator;
import dev.tandem.routing.WriterDataSource;
import dev.tandem.routing.ZoneHeaderFilter;
import dev.tandem.topology.JdbcNodeProbe;
import dev.tandem.topology.LagLimit;
import dev.tandem.topology.NodeStatus;
import dev.tandem.topology.TopologyMonitor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.aop.config.AopConfigUtils;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.context.annotation.ImportRuntimeHints;
import org.springframework.context.annotation.Role;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotationMetadata;
import org.springframework.jdbc.datasource.LazyConnectionDataSourceProxy;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.AnnotationTransactionAttributeSource;
import org.springframework.transaction.interceptor.TransactionAttributeSource;

/**
 * Builds the application's {@link DataSource} from one cluster URL: a
 * {@link LazyConnectionDataSourceProxy} over a {@link TandemRoutingDataSource} whose
 * writer is the primary's pool and whose reader picks a standby from the topology. Spring
 * Boot's own {@code DataSourceAutoConfiguration} backs off, and so does Tandem when the
 * application defines a {@code DataSource} of its own.
 */
@AutoConfiguration(before = DataSourceAutoConfiguration.class)
@ConditionalOnClass({ HikariDataSource.class, org.postgresql.Driver.class, LazyConnectionDataSourceProxy.class })
@ConditionalOnBooleanProperty(name = "tandem.enabled", matchIfMissing = true)
@ConditionalOnMissingBean(DataSource.class)
@EnableConfigurationProperties(TandemProperties.class)
@Import({ MarkerStoreConfigurations.Redis.class, MarkerStoreConfigurations.Memory.class })
@ImportRuntimeHints(TandemRuntimeHints.class)
public final class TandemAutoConfiguration {

	private static final Logger logger = LoggerFactory.getLogger(TandemAutoConfiguration.class);

	/** Bound on one check of one node: connect, log in, answer. */
	static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

	/**
	 * Bound on a node's answer to a check on an open connection. Less than the readers'
	 * connection timeout, so that a read on a node that froze is aborted and retried
	 * elsewhere within about a check interval plus that timeout.
	 */
	static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(1);

	@Bean
	@ConditionalOnMissingBean
	TandemClusters tandemClusters(TandemProperties properties, Environment environment) {
		TandemClusters clusters = TandemClusters.resolve(properties, environment);
		logger.info("Tandem: writer {}, readers {}, reads target '{}', balance '{}'", clusters.writer().maskedUrl(),
				clusters.reader().hosts(), clusters.readTarget().value(), properties.getReads().getBalance());
		return clusters;
	}

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	TopologyMonitor tandemTopologyMonitor(TandemClusters clusters, TandemProperties properties) {
		TandemProperties.Reads reads = properties.getReads();
		LagLimit lagLimit = new LagLimit(reads.getMaxLag(),
				(reads.getMaxLagBytes() != null) ? reads.getMaxLagBytes().toBytes() : null);
		TopologyMonitor monitor = new TopologyMonitor(clusters.nodes(), new LinkedHashSet<>(clusters.reader().hosts()),
				new JdbcNodeProbe(clusters::specFor, PROBE_TIMEOUT, ANSWER_TIMEOUT),
				properties.getTopology().getCheckInterval(), lagLimit);
		monitor.start(PROBE_TIMEOUT.plusSeconds(1));
		return monitor;
	}

	@Bean
	@ConditionalOnMissingBean
	FailoverListener tandemFailoverListener(TopologyMonitor monitor) {
		return new FailoverListener(monitor);
	}

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	TandemPools tandemPools(TandemClusters clusters, TandemProperties properties, FailoverListener failover,
			ObjectProvider<TandemPoolCustomizer> customizers, Environment environment) {
		// Reader pools are made on first use: their settings are checked now.
		Binder binder = Binder.get(environment);
		HikariSettings.check(binder, HikariSettings.WRITER);
		HikariSettings.check(binder, HikariSettings.READER);
		TandemPools pools = new TandemPools(clusters.writer(), clusters.reader(),
				(config) -> customize(config, properties.getWriter().getHikari(), customizers),
				(config) -> customize(config, properties.getReader().getHikari(), customizers), failover);
		failover.attach(pools);
		return pools;
	}

	private static void customize(HikariConfig config, TandemProperties.Hikari settings,
			ObjectProvider<TandemPoolCustomizer> customizers) {
		HikariSettings.apply(settings, config);
		customizers.orderedStream().forEach((customizer) -> customizer.customize(config));
	}

	@Bean
	@ConditionalOnMissingBean
	ReaderSelector tandemReaderSelector(TandemClusters clusters, TandemProperties properties, TandemPools pools,
			TopologyMonitor monitor) {
		ReadZones zones = ReadZones.of(properties.getZones(), properties.getReads().getZone(), clusters.nodes());
		if (!zones.isEmpty()) {
			logger.info("Tandem zones: {}; this instance's zone: {}", zones.names(),
					(zones.home() != null) ? zones.home() : "none");
		}
		return new ReaderSelector(clusters.readTarget(), properties.getReads().getBalance(),
				pools::activeReaderConnections, zones, monitor::roundTripNanos);
	}

	@Bean
	@ConditionalOnMissingBean
	ConsistencyKeyResolver tandemConsistencyKeyResolver(TandemProperties properties) {
		return new DefaultConsistencyKeyResolver(properties.getConsistency().getKeyHeader(),
				properties.getConsistency().isKeyHeaderOverPrincipal());
	}

	@Bean
	@ConditionalOnMissingBean
	ReadConsistency tandemReadConsistency(TandemProperties properties, ConsistencyKeyResolver keys, MarkerStore store,
			TopologyMonitor monitor, Environment environment) {
		TandemProperties.Consistency consistency = properties.getConsistency();
		ConsistencySettings.check(properties);
		String namespace = ConsistencySettings.namespace(properties, environment);
		if (consistency.getMode() != ConsistencyMode.OFF) {
			logger.info(
					"Tandem read-your-writes: mode '{}', markers in the {} store ({}) in namespace '{}', ttl {}, "
							+ "max-wait {}",
					consistency.getMode(), store.name(), ConsistencySettings.describe(store), namespace,
					consistency.getTtl(), consistency.getMaxWait());
		}
		ReadAfter.setSigner(ConsistencySettings.tokenSigner(properties));
		return new ReadConsistency(consistency.getMode(), keys, store, consistency.getTtl(), consistency.getMaxWait(),
				() -> monitor.snapshot().primary().map(NodeStatus::walLsn).orElse(null), namespace);
	}

	/**
	 * Carries the consistency key (resolved when the task is submitted), the causal
	 * token, the zone and the route to tasks of Spring Boot's application task executor
	 * and task scheduler ({@code @Async}, {@code @Scheduled}), which Boot decorates with
	 * every {@code TaskDecorator} bean, composed with the application's own.
	 * @param keys the consistency key resolver
	 * @return the decorator
	 */
	@Bean
	@ConditionalOnMissingBean
	TandemTaskDecorator tandemTaskDecorator(ConsistencyKeyResolver keys) {
		return new TandemTaskDecorator(keys);
	}

	@Bean
	LazyConnectionDataSourceProxy dataSource(TandemClusters clusters, TandemPools pools, ReaderSelector selector,
			TopologyMonitor monitor, FailoverListener failover, ObjectProvider<RoutingObserver> observers,
			ReadConsistency consistency, TandemProperties properties) {
		RoutingObserver observer = RoutingObserver.of(observers.orderedStream().toList());
		ReadConsistency active = (consistency.mode() != ConsistencyMode.OFF) ? consistency : null;
		WriterDataSource writer = new WriterDataSource(pools.writer(), pools.primaryGate(), observer, active);
		ReaderDataSource reader = new ReaderDataSource(ReaderPools.of(pools), writer, selector, monitor::snapshot,
				failover, observer, active, ServerChecks.of(monitor));
		// Connections answer the metadata JDBC instrumentation asks for without choosing
		// a
		// node, so that wrappers around this DataSource keep the route undecided.
		LazyRoutingDataSource proxy = new LazyRoutingDataSource(new TandemRoutingDataSource(writer, reader),
				clusters.writer().jdbcUrl(clusters.nodes()), clusters.writer().username(),
				clusters.writer().database());
		// Known defaults: the proxy must not borrow a connection to learn them, because
		// a node may be down at startup. They are the writer pool's.
		TandemProperties.Hikari settings = properties.getWriter().getHikari();
		proxy.setDefaultAutoCommit((settings.getAutoCommit() != null) ? settings.getAutoCommit() : true);
		proxy.setDefaultTransactionIsolation(HikariSettings.isolationLevel(settings.getTransactionIsolation()));
		return proxy;
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
	@ConditionalOnClass(
			name = { "org.springframework.web.filter.OncePerRequestFilter", "jakarta.servlet.http.HttpServletRequest" })
	static class CausalTokenConfiguration {

		@Bean
		@ConditionalOnMissingBean
		@ConditionalOnProperty(name = "tandem.reads.zone-header")
		ZoneHeaderFilter tandemZoneHeaderFilter(TandemProperties properties, ReaderSelector selector) {
			return new ZoneHeaderFilter(properties.getReads().getZoneHeader(), selector.zones());
		}

		@Bean
		@ConditionalOnMissingBean
		CausalTokenFilter tandemCausalTokenFilter(TandemProperties properties) {
			TandemProperties.Consistency consistency = properties.getConsistency();
			return new CausalTokenFilter(consistency.getHeader(),
					consistency.getCookie().isEnabled() ? consistency.getCookie().getName() : null,
					consistency.getTtl(), ConsistencySettings.tokenSigner(properties));
		}

	}

	@Configuration(proxyBeanMethods = false)
	@Import(AutoProxyRegistrar.class)
	static class RoutingAdviceConfiguration {

		@Bean
		@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
		static RoutingAdvisor tandemRoutingAdvisor(ObjectProvider<PlatformTransactionManager> transactionManager,
				ObjectProvider<TandemProperties> properties, ObjectProvider<RoutingObserver> observers) {
			TransactionAttributeSource attributes = new AnnotationTransactionAttributeSource();
			return new RoutingAdvisor(routingInterceptor(attributes, transactionManager, properties, observers),
					attributes);
		}

		static RoutingInterceptor routingInterceptor(TransactionAttributeSource attributes,
				ObjectProvider<PlatformTransactionManager> transactionManager,
				ObjectProvider<TandemProperties> properties, ObjectProvider<RoutingObserver> observers) {
			// Looked up at call time: the interceptor is created before other beans.
			return new RoutingInterceptor(attributes, transactionManager::getIfUnique,
					() -> properties.getObject().getRetry().getReadOnlyAttempts(),
					() -> RoutingObserver.of(observers.orderedStream().toList()));
		}

	}

	/**
	 * Routing rule 10: Spring Data repository reads called without a transaction run on a
	 * standby; {@code @ReadFromPrimary} and {@code @ReadFromReplica} apply on repository
	 * methods and interfaces.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "org.springframework.data.repository.core.support.RepositoryFactoryBeanSupport")
	static class RepositoryRoutingConfiguration {

		@Bean
		@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
		static RepositoryRoutingPostProcessor tandemRepositoryRoutingPostProcessor(
				ObjectProvider<PlatformTransactionManager> transactionManager,
				ObjectProvider<TandemProperties> properties, ObjectProvider<RoutingObserver> observers) {
			RoutingInterceptor routing = RoutingAdviceConfiguration.routingInterceptor(
					new AnnotationTransactionAttributeSource(), transactionManager, properties, observers);
			return new RepositoryRoutingPostProcessor(() -> routing,
					() -> properties.getObject().getReads().isRepositoryQueries());
		}

	}

	/**
	 * Makes sure an auto-proxy creator exists, as {@code @EnableTransactionManagement}
	 * does, so the routing advice applies even in an application without transaction
	 * management. Proxies classes unless {@code spring.aop.proxy-target-class=false}, as
	 * Spring Boot does.
	 */
	static class AutoProxyRegistrar implements ImportBeanDefinitionRegistrar, EnvironmentAware {

		private boolean proxyTargetClass = true;

		@Override
		public void setEnvironment(Environment environment) {
			this.proxyTargetClass = environment.getProperty("spring.aop.proxy-target-class", Boolean.class, true);
		}

		@Override
		public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
			AopConfigUtils.registerAutoProxyCreatorIfNecessary(registry);
			if (this.proxyTargetClass) {
				AopConfigUtils.forceAutoProxyCreatorToUseClassProxying(registry);
			}
		}

	}

}

package dev.tandem.autoconfigure;

import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import dev.tandem.routing.RepositoryRoutingInterceptor;
import dev.tandem.routing.RoutingInterceptor;
import org.aopalliance.aop.Advice;

import org.springframework.aop.Advisor;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.data.repository.core.RepositoryInformation;
import org.springframework.data.repository.core.support.RepositoryFactoryBeanSupport;
import org.springframework.transaction.interceptor.TransactionInterceptor;

/**
 * Adds a {@link RepositoryRoutingInterceptor} to every Spring Data repository, through a
 * customizer of each repository factory bean, before the bean initializes (that is when
 * it builds its repository). The interceptor goes just before the repository's own
 * transaction interceptor, so the route is in place when a transaction of the
 * repository's own begins, as Tandem's routing advisor is ordered before Spring's
 * transaction advisor.
 */
class RepositoryRoutingPostProcessor implements BeanPostProcessor {

	private final Supplier<RoutingInterceptor> routing;

	private final BooleanSupplier readsOnStandbys;

	/**
	 * Creates the post-processor.
	 * @param routing the routing interceptor, asked once per repository
	 * @param readsOnStandbys whether repository reads called without a transaction run on
	 * a standby, asked once per repository
	 */
	RepositoryRoutingPostProcessor(Supplier<RoutingInterceptor> routing, BooleanSupplier readsOnStandbys) {
		this.routing = routing;
		this.readsOnStandbys = readsOnStandbys;
	}

	@Override
	public Object postProcessBeforeInitialization(Object bean, String beanName) {
		if (bean instanceof RepositoryFactoryBeanSupport<?, ?, ?> factoryBean) {
			factoryBean.addRepositoryFactoryCustomizer(
					(factory) -> factory.addRepositoryProxyPostProcessor(this::addRoutingAdvice));
		}
		return bean;
	}

	private void addRoutingAdvice(ProxyFactory proxyFactory, RepositoryInformation repository) {
		Advice advice = new RepositoryRoutingInterceptor(this.routing.get(), repository.getRepositoryInterface(),
				repository::isQueryMethod, this.readsOnStandbys.getAsBoolean());
		proxyFactory.addAdvice(transactionInterceptorPosition(proxyFactory), advice);
	}

	private static int transactionInterceptorPosition(ProxyFactory proxyFactory) {
		List<Advisor> advisors = List.of(proxyFactory.getAdvisors());
		for (int i = 0; i < advisors.size(); i++) {
			if (advisors.get(i).getAdvice() instanceof TransactionInterceptor) {
				return i;
			}
		}
		return advisors.size();
	}

}

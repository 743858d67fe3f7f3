package dev.tandem.routing;

import java.lang.reflect.Method;

import dev.tandem.ReadFromPrimary;
import dev.tandem.ReadFromReplica;
import org.aopalliance.aop.Advice;

import org.springframework.aop.Pointcut;
import org.springframework.aop.support.AbstractPointcutAdvisor;
import org.springframework.aop.support.StaticMethodMatcherPointcut;
import org.springframework.core.Ordered;
import org.springframework.transaction.interceptor.TransactionAttributeSource;

/**
 * Applies the {@link RoutingInterceptor} to methods that are transactional or carry
 * {@link ReadFromPrimary} or {@link ReadFromReplica} (on the method or its class). Its
 * order puts it outside Spring's transaction advisor, whose default order is
 * {@link Ordered#LOWEST_PRECEDENCE}.
 */
public class RoutingAdvisor extends AbstractPointcutAdvisor {

	/** Order of the advisor: well before the transaction advisor. */
	public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 1000;

	private final RoutingInterceptor interceptor;

	private final Pointcut pointcut;

	/**
	 * Creates the advisor.
	 * @param interceptor the interceptor
	 * @param transactionAttributes reads {@code @Transactional} as Spring does
	 */
	public RoutingAdvisor(RoutingInterceptor interceptor, TransactionAttributeSource transactionAttributes) {
		this.interceptor = interceptor;
		this.pointcut = new RoutedMethods(transactionAttributes);
		setOrder(ORDER);
	}

	@Override
	public Pointcut getPointcut() {
		return this.pointcut;
	}

	@Override
	public Advice getAdvice() {
		return this.interceptor;
	}

	private static final class RoutedMethods extends StaticMethodMatcherPointcut {

		private final TransactionAttributeSource transactionAttributes;

		RoutedMethods(TransactionAttributeSource transactionAttributes) {
			this.transactionAttributes = transactionAttributes;
		}

		@Override
		public boolean matches(Method method, Class<?> targetClass) {
			return RoutingInterceptor.explicitRoute(method, targetClass) != null
					|| this.transactionAttributes.getTransactionAttribute(method, targetClass) != null;
		}

	}

}

package dev.tandem.routing;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import dev.tandem.ReadFromPrimary;
import dev.tandem.ReadFromReplica;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.support.AopUtils;
import org.springframework.core.MethodClassKey;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.interceptor.TransactionAttribute;
import org.springframework.transaction.interceptor.TransactionAttributeSource;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.DefaultTransactionDefinition;

/**
 * Puts the route of {@code @Transactional}, {@link ReadFromPrimary} and
 * {@link ReadFromReplica} methods into the {@link RoutingContext}. Ordered before
 * Spring's transaction interceptor, so the route is in place before the transaction
 * begins. A method that joins a running transaction keeps that transaction's route: its
 * connection is already chosen.
 */
public class RoutingInterceptor implements MethodInterceptor {

	private final TransactionAttributeSource transactionAttributes;

	private final Supplier<@Nullable PlatformTransactionManager> transactionManager;

	private final Map<MethodClassKey, Optional<Route>> explicitRoutes = new ConcurrentHashMap<>();

	/**
	 * Creates the interceptor.
	 * @param transactionAttributes reads {@code @Transactional} as Spring does
	 * @param transactionManager the application's transaction manager, if it has exactly
	 * one; used to give {@code @ReadFromPrimary} a transaction of its own inside a
	 * read-only one
	 */
	public RoutingInterceptor(TransactionAttributeSource transactionAttributes,
			Supplier<@Nullable PlatformTransactionManager> transactionManager) {
		this.transactionAttributes = transactionAttributes;
		this.transactionManager = transactionManager;
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		Method method = invocation.getMethod();
		Class<?> targetClass = (invocation.getThis() != null) ? AopUtils.getTargetClass(invocation.getThis())
				: method.getDeclaringClass();
		Route explicit = this.explicitRoutes
			.computeIfAbsent(new MethodClassKey(method, targetClass),
					(key) -> Optional.ofNullable(explicitRoute(method, targetClass)))
			.orElse(null);
		TransactionAttribute transaction = this.transactionAttributes.getTransactionAttribute(method, targetClass);
		if (TransactionSynchronizationManager.isActualTransactionActive() && !leavesCurrentTransaction(transaction)) {
			if (explicit == Route.PRIMARY && TransactionSynchronizationManager.isCurrentTransactionReadOnly()) {
				return onPrimaryInOwnTransaction(invocation);
			}
			return invocation.proceed();
		}
		Route route = (explicit != null) ? explicit : routeOf(transaction);
		if (route == null) {
			return invocation.proceed();
		}
		return proceedWith(route, invocation);
	}

	private @Nullable Object onPrimaryInOwnTransaction(MethodInvocation invocation) throws Throwable {
		PlatformTransactionManager manager = this.transactionManager.get();
		if (manager == null) {
			throw new IllegalStateException("@ReadFromPrimary on " + invocation.getMethod()
					+ " is called inside a read-only transaction, which needs a single PlatformTransactionManager "
					+ "to start a transaction of its own on the primary");
		}
		DefaultTransactionDefinition definition = new DefaultTransactionDefinition(
				TransactionDefinition.PROPAGATION_REQUIRES_NEW);
		definition.setReadOnly(true);
		try (RoutingContext.Scope scope = RoutingContext.open(Route.PRIMARY)) {
			TransactionStatus status = manager.getTransaction(definition);
			Object result;
			try {
				result = invocation.proceed();
			}
			catch (Throwable ex) {
				// Surface the method's own failure; a failed rollback only rides along.
				try {
					manager.rollback(status);
				}
				catch (RuntimeException | Error rollbackFailure) {
					ex.addSuppressed(rollbackFailure);
				}
				throw ex;
			}
			manager.commit(status);
			return result;
		}
	}

	/**
	 * The route that {@link ReadFromPrimary} or {@link ReadFromReplica} asks for, on the
	 * method or else on its class.
	 * @param method the method
	 * @param targetClass the class it is called on
	 * @return the route, or {@code null} when neither annotation applies
	 * @throws IllegalStateException when both apply
	 */
	static @Nullable Route explicitRoute(Method method, Class<?> targetClass) {
		Method specific = AopUtils.getMostSpecificMethod(method, targetClass);
		boolean primary = AnnotatedElementUtils.hasAnnotation(specific, ReadFromPrimary.class);
		boolean replica = AnnotatedElementUtils.hasAnnotation(specific, ReadFromReplica.class);
		if (!primary && !replica) {
			primary = AnnotatedElementUtils.hasAnnotation(targetClass, ReadFromPrimary.class);
			replica = AnnotatedElementUtils.hasAnnotation(targetClass, ReadFromReplica.class);
		}
		if (primary && replica) {
			throw new IllegalStateException(
					"@ReadFromPrimary and @ReadFromReplica both apply to " + specific + "; keep one of them");
		}
		return primary ? Route.PRIMARY : (replica ? Route.REPLICA : null);
	}

	private static boolean leavesCurrentTransaction(@Nullable TransactionAttribute transaction) {
		if (transaction == null) {
			return false;
		}
		int propagation = transaction.getPropagationBehavior();
		return propagation == TransactionDefinition.PROPAGATION_REQUIRES_NEW
				|| propagation == TransactionDefinition.PROPAGATION_NOT_SUPPORTED;
	}

	private static @Nullable Route routeOf(@Nullable TransactionAttribute transaction) {
		if (transaction == null) {
			return null;
		}
		if (transaction.getPropagationBehavior() == TransactionDefinition.PROPAGATION_NOT_SUPPORTED
				|| transaction.getPropagationBehavior() == TransactionDefinition.PROPAGATION_NEVER) {
			return transaction.isReadOnly() ? Route.REPLICA : null;
		}
		return transaction.isReadOnly() ? Route.REPLICA : Route.PRIMARY;
	}

	private static @Nullable Object proceedWith(Route route, MethodInvocation invocation) throws Throwable {
		try (RoutingContext.Scope scope = RoutingContext.open(route)) {
			return invocation.proceed();
		}
	}

}

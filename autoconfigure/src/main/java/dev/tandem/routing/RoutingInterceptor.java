package dev.tandem.routing;

import java.lang.reflect.Method;
import java.sql.SQLException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

import dev.tandem.ReadFromPrimary;
import dev.tandem.ReadFromReplica;
import dev.tandem.pool.SqlStates;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.aop.support.AopUtils;
import org.springframework.core.MethodClassKey;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.TransactionSystemException;
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
 * <p>
 * An outermost read-only transaction that fails because its node was lost (SQLState class
 * {@code 08}, {@code 57P01} to {@code 57P03}) or because a standby cancelled it over a
 * recovery conflict ({@code 40001}) runs again, as a new transaction on the node chosen
 * then, up to the configured number of attempts; so does a Spring Data repository read
 * that runs without a transaction ({@link RepositoryRoutingInterceptor}). Work inside an
 * outer transaction, and read-write work, is never run again.
 */
public class RoutingInterceptor implements MethodInterceptor {

	private static final Logger logger = LoggerFactory.getLogger(RoutingInterceptor.class);

	private static final String SERIALIZATION_FAILURE = "40001";

	private final TransactionAttributeSource transactionAttributes;

	private final Supplier<@Nullable PlatformTransactionManager> transactionManager;

	private final IntSupplier readOnlyAttempts;

	private final Supplier<RoutingObserver> observer;

	private final Map<MethodClassKey, Optional<Route>> explicitRoutes = new ConcurrentHashMap<>();

	/**
	 * Creates the interceptor.
	 * @param transactionAttributes reads {@code @Transactional} as Spring does
	 * @param transactionManager the application's transaction manager, if it has exactly
	 * one; used to give {@code @ReadFromPrimary} a transaction of its own inside a
	 * read-only one
	 * @param readOnlyAttempts how many times an outermost read-only transaction may run,
	 * at least 1 (1: never again); asked at each call
	 * @param observer hears each retry; asked at each retry
	 */
	public RoutingInterceptor(TransactionAttributeSource transactionAttributes,
			Supplier<@Nullable PlatformTransactionManager> transactionManager, IntSupplier readOnlyAttempts,
			Supplier<RoutingObserver> observer) {
		this.transactionAttributes = transactionAttributes;
		this.transactionManager = transactionManager;
		this.readOnlyAttempts = readOnlyAttempts;
		this.observer = observer;
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
			return joinTransaction(invocation, explicit);
		}
		Route route = (explicit != null) ? explicit : routeOf(transaction);
		if (route == null) {
			return invocation.proceed();
		}
		return proceedOutsideTransaction(invocation, route, transaction != null && transaction.isReadOnly());
	}

	/**
	 * Runs work inside the current transaction: it joins it, except that
	 * {@code @ReadFromPrimary} inside a read-only transaction gets a read-only
	 * transaction of its own on the primary.
	 * @param invocation the work
	 * @param explicit the route that {@code @ReadFromPrimary} or {@code @ReadFromReplica}
	 * asks for, or {@code null}
	 * @return what the work returned
	 * @throws Throwable what the work threw
	 */
	@Nullable Object joinTransaction(MethodInvocation invocation, @Nullable Route explicit) throws Throwable {
		if (explicit == Route.PRIMARY && TransactionSynchronizationManager.isCurrentTransactionReadOnly()) {
			return onPrimaryInOwnTransaction(invocation);
		}
		return invocation.proceed();
	}

	/**
	 * Runs work that starts no transaction of the caller's, or an outermost one, on a
	 * route. Read-only work on a standby runs again when it lost its node, up to the
	 * configured attempts.
	 * @param invocation the work
	 * @param route the route
	 * @param readOnly whether the work only reads, so that running it again is safe
	 * @return what the work returned
	 * @throws Throwable what the work threw
	 */
	@Nullable Object proceedOutsideTransaction(MethodInvocation invocation, Route route, boolean readOnly) throws Throwable {
		if (route == Route.REPLICA && readOnly && !TransactionSynchronizationManager.isActualTransactionActive()
				&& invocation instanceof ProxyMethodInvocation proxyInvocation) {
			int attempts = this.readOnlyAttempts.getAsInt();
			if (attempts > 1) {
				return proceedWithRetries(proxyInvocation, attempts);
			}
		}
		return proceedWith(route, invocation);
	}

	private @Nullable Object proceedWithRetries(ProxyMethodInvocation invocation, int attempts) throws Throwable {
		for (int attempt = 1;; attempt++) {
			try {
				return proceedWith(Route.REPLICA, invocation.invocableClone());
			}
			catch (Throwable ex) {
				SQLException cause = nodeLost(ex);
				if (attempt >= attempts || cause == null) {
					throw ex;
				}
				logger.info("Read-only work of {} lost its node ({}: {}); running it again, attempt {} of {}",
						invocation.getMethod().getName(), cause.getSQLState(), cause.getMessage(), attempt + 1,
						attempts);
				this.observer.get().readRetried(attempt + 1, ex);
			}
		}
	}

	/**
	 * The failure in a chain of causes that allows running read-only work again: its node
	 * was lost, or a standby cancelled it over a recovery conflict. Looks through causes,
	 * suppressed exceptions, SQL next-exceptions and the application exception a failed
	 * rollback hides.
	 * @param failure what the work threw
	 * @return the failure that allows a retry, or {@code null}
	 */
	static @Nullable SQLException nodeLost(Throwable failure) {
		Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
		return nodeLost(failure, seen);
	}

	private static @Nullable SQLException nodeLost(@Nullable Throwable failure, Set<Throwable> seen) {
		if (failure == null || !seen.add(failure)) {
			return null;
		}
		if (failure instanceof NoPrimaryAvailableException || failure instanceof NoStandbyAvailableException) {
			return null;
		}
		if (failure instanceof SQLException sql) {
			SQLException lost = SqlStates.first(sql,
					(state) -> SqlStates.isNodeLost(state) || SERIALIZATION_FAILURE.equals(state));
			if (lost != null) {
				return lost;
			}
		}
		SQLException found = nodeLost(failure.getCause(), seen);
		if (found == null && failure instanceof TransactionSystemException system) {
			found = nodeLost(system.getApplicationException(), seen);
		}
		for (Throwable suppressed : failure.getSuppressed()) {
			if (found == null) {
				found = nodeLost(suppressed, seen);
			}
		}
		return found;
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

package dev.tandem.routing;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

import dev.tandem.ReadFromPrimary;
import dev.tandem.ReadFromReplica;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import org.springframework.core.annotation.MergedAnnotation;
import org.springframework.core.annotation.MergedAnnotations;
import org.springframework.transaction.annotation.AnnotationTransactionAttributeSource;
import org.springframework.transaction.interceptor.TransactionAttribute;
import org.springframework.transaction.interceptor.TransactionAttributeSource;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Routes the methods of one Spring Data repository (routing rule 10). A read called
 * without a transaction and outside any route set by the caller runs on a standby,
 * read-only, and runs again when it lost its standby, as a read-only transaction does.
 * Reads are the repository's query methods (derived queries, {@code @Query} methods,
 * {@code count…}, {@code exists…}) and the {@code find…}, {@code get…}, {@code count…}
 * and {@code exists…} methods that Spring Data's own interfaces declare (CRUD, query by
 * example, specifications, Querydsl). Methods that write or lock keep the route they had:
 * {@code @Modifying}, {@code @Lock}, {@code @Procedure}, {@code delete…}, {@code remove…}
 * and {@code save…}. So do methods the application implements itself (custom fragments,
 * default methods) and methods with a read-write {@code @Transactional} of their own.
 * Inside a transaction every method joins it.
 * <p>
 * {@link ReadFromPrimary} and {@link ReadFromReplica} on a repository method or on the
 * repository interface apply as they do on any bean, whether or not the rule is on.
 * <p>
 * Spring Data modules are recognised by annotation names, so this class needs none of
 * them. Place it before the repository's transaction interceptor, so that the route is in
 * place when a transaction of the repository's own begins.
 */
public class RepositoryRoutingInterceptor implements MethodInterceptor {

	/** Annotations of Spring Data modules on methods that write or lock. */
	private static final Set<String> WRITES_OR_LOCKS = Set.of("org.springframework.data.jpa.repository.Modifying",
			"org.springframework.data.jpa.repository.Lock", "org.springframework.data.jpa.repository.query.Procedure",
			"org.springframework.data.jdbc.repository.query.Modifying",
			"org.springframework.data.relational.repository.Lock",
			"org.springframework.data.r2dbc.repository.Modifying");

	private static final List<String> WRITE_PREFIXES = List.of("delete", "remove", "save");

	private static final List<String> READ_PREFIXES = List.of("find", "get", "read", "query", "search", "stream",
			"count", "exists");

	private static final String SPRING_DATA_PACKAGE = "org.springframework.data.";

	private static final TransactionAttributeSource transactionAttributes = new AnnotationTransactionAttributeSource();

	private final RoutingInterceptor routing;

	private final Class<?> repositoryInterface;

	private final Predicate<Method> queryMethods;

	private final boolean readsOnStandbys;

	private final Map<Method, Kind> kinds = new ConcurrentHashMap<>();

	/**
	 * Creates the interceptor for one repository.
	 * @param routing joins transactions and runs work on a route as for any bean
	 * @param repositoryInterface the repository interface
	 * @param queryMethods whether a method is one of the repository's query methods
	 * @param readsOnStandbys whether reads called without a transaction run on a standby
	 * ({@code tandem.reads.repository-queries})
	 */
	public RepositoryRoutingInterceptor(RoutingInterceptor routing, Class<?> repositoryInterface,
			Predicate<Method> queryMethods, boolean readsOnStandbys) {
		this.routing = routing;
		this.repositoryInterface = repositoryInterface;
		this.queryMethods = queryMethods;
		this.readsOnStandbys = readsOnStandbys;
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		Method method = invocation.getMethod();
		Kind kind = this.kinds.computeIfAbsent(method,
				(key) -> kindOf(key, this.repositoryInterface, this.queryMethods.test(key)));
		if (kind == Kind.PRIMARY || kind == Kind.REPLICA) {
			Route explicit = (kind == Kind.PRIMARY) ? Route.PRIMARY : Route.REPLICA;
			if (RoutingContext.current() == explicit) {
				// Already routed so, by the caller or by the routing advisor around this
				// proxy: a second transaction of its own would be one too many.
				return invocation.proceed();
			}
			if (TransactionSynchronizationManager.isActualTransactionActive()) {
				return this.routing.joinTransaction(invocation, explicit);
			}
			return this.routing.proceedOutsideTransaction(invocation, explicit, false);
		}
		if (kind == Kind.READ && this.readsOnStandbys && !TransactionSynchronizationManager.isActualTransactionActive()
				&& RoutingContext.current() == null) {
			return this.routing.proceedOutsideTransaction(invocation, Route.REPLICA, true);
		}
		return invocation.proceed();
	}

	/**
	 * What a repository method is, for routing.
	 * @param method the method called
	 * @param repositoryInterface the repository interface
	 * @param queryMethod whether Spring Data takes the method for a query method
	 * @return its kind
	 * @throws IllegalStateException when both {@code @ReadFromPrimary} and
	 * {@code @ReadFromReplica} apply
	 */
	static Kind kindOf(Method method, Class<?> repositoryInterface, boolean queryMethod) {
		Route explicit = RoutingInterceptor.explicitRoute(method, repositoryInterface);
		if (explicit != null) {
			return (explicit == Route.PRIMARY) ? Kind.PRIMARY : Kind.REPLICA;
		}
		boolean declaredBySpringData = method.getDeclaringClass().getName().startsWith(SPRING_DATA_PACKAGE);
		if (!queryMethod && !declaredBySpringData) {
			return Kind.OTHER;
		}
		if (writesOrLocks(method) || startsWithAny(method.getName(), WRITE_PREFIXES)
				|| hasReadWriteTransaction(method, repositoryInterface)) {
			return Kind.OTHER;
		}
		return (queryMethod || startsWithAny(method.getName(), READ_PREFIXES)) ? Kind.READ : Kind.OTHER;
	}

	private static boolean writesOrLocks(Method method) {
		return MergedAnnotations.from(method)
			.stream()
			.map(MergedAnnotation::getType)
			.map(Class::getName)
			.anyMatch(WRITES_OR_LOCKS::contains);
	}

	private static boolean hasReadWriteTransaction(Method method, Class<?> repositoryInterface) {
		TransactionAttribute transaction = transactionAttributes.getTransactionAttribute(method, repositoryInterface);
		return transaction != null && !transaction.isReadOnly();
	}

	private static boolean startsWithAny(String name, List<String> prefixes) {
		for (String prefix : prefixes) {
			if (name.startsWith(prefix)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * What a repository method is, for routing.
	 */
	enum Kind {

		/** {@code @ReadFromPrimary} applies. */
		PRIMARY,

		/** {@code @ReadFromReplica} applies. */
		REPLICA,

		/** A read: on a standby when called without a transaction. */
		READ,

		/** Anything else: it keeps the route it had. */
		OTHER

	}

}

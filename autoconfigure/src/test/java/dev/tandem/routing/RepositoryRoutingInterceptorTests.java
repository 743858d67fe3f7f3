package dev.tandem.routing;

import java.lang.reflect.Method;
import java.util.List;

import dev.tandem.ReadFromPrimary;
import dev.tandem.ReadFromReplica;
import dev.tandem.routing.RepositoryRoutingInterceptor.Kind;
import jakarta.persistence.LockModeType;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.aop.framework.ProxyFactory;
import org.springframework.data.jpa.repository.Lock;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.jpa.repository.query.Procedure;
import org.springframework.data.repository.CrudRepository;
import org.springframework.transaction.annotation.AnnotationTransactionAttributeSource;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link RepositoryRoutingInterceptor}: which repository methods are reads
 * (routing rule 10), and the route each call gets, with no server. The routes on a real
 * cluster are proved by {@code JpaRepositoryRoutingIntegrationTests}.
 */
class RepositoryRoutingInterceptorTests {

	@Test
	void derivedQueriesCountAndExistsAreReads() throws Exception {
		assertThat(kind(Catalog.class, "findByName", true, String.class)).isEqualTo(Kind.READ);
		assertThat(kind(Catalog.class, "countByName", true, String.class)).isEqualTo(Kind.READ);
		assertThat(kind(Catalog.class, "existsByName", true, String.class)).isEqualTo(Kind.READ);
		assertThat(kind(Catalog.class, "named", true, String.class)).isEqualTo(Kind.READ);
	}

	@Test
	void modifyingLockProcedureDeleteAndRemoveAreNotReads() throws Exception {
		assertThat(kind(Catalog.class, "rename", true, String.class)).isEqualTo(Kind.OTHER);
		assertThat(kind(Catalog.class, "findLockedByName", true, String.class)).isEqualTo(Kind.OTHER);
		assertThat(kind(Catalog.class, "archive", true, String.class)).isEqualTo(Kind.OTHER);
		assertThat(kind(Catalog.class, "deleteByName", true, String.class)).isEqualTo(Kind.OTHER);
		assertThat(kind(Catalog.class, "removeByName", true, String.class)).isEqualTo(Kind.OTHER);
	}

	@Test
	void springDataReadsAreReadsAndItsWritesAreNot() throws Exception {
		assertThat(kind(Catalog.class, "findById", false, Object.class)).isEqualTo(Kind.READ);
		assertThat(kind(Catalog.class, "findAll", false)).isEqualTo(Kind.READ);
		assertThat(kind(Catalog.class, "count", false)).isEqualTo(Kind.READ);
		assertThat(kind(Catalog.class, "existsById", false, Object.class)).isEqualTo(Kind.READ);
		assertThat(kind(Catalog.class, "save", false, Object.class)).isEqualTo(Kind.OTHER);
		assertThat(kind(Catalog.class, "deleteById", false, Object.class)).isEqualTo(Kind.OTHER);
	}

	@Test
	void methodsOfTheApplicationThatAreNoQueryMethodsKeepTheirRoute() throws Exception {
		assertThat(kind(Catalog.class, "findCustom", false, String.class)).isEqualTo(Kind.OTHER);
	}

	@Test
	void queryMethodWithReadWriteTransactionOfItsOwnIsNoRead() throws Exception {
		assertThat(kind(Catalog.class, "findForUpdateByName", true, String.class)).isEqualTo(Kind.OTHER);
		assertThat(kind(Catalog.class, "findQuicklyByName", true, String.class)).isEqualTo(Kind.READ);
	}

	@Test
	void readFromPrimaryOrReplicaOnMethodOrInterfaceWins() throws Exception {
		assertThat(kind(Catalog.class, "findFreshByName", true, String.class)).isEqualTo(Kind.PRIMARY);
		assertThat(kind(Catalog.class, "deleteStaleByName", true, String.class)).isEqualTo(Kind.REPLICA);
		assertThat(kind(FreshCatalog.class, "findByName", true, String.class)).isEqualTo(Kind.PRIMARY);
	}

	@Test
	void readFromPrimaryAndReplicaOnOneMethodIsRefused() {
		Method method = method(Catalog.class, "findConfusedByName", String.class);
		assertThatIllegalStateException()
			.isThrownBy(() -> RepositoryRoutingInterceptor.kindOf(method, Catalog.class, true))
			.withMessageContaining("keep one of them");
	}

	@Test
	void readCalledWithoutTransactionRunsOnAStandby() {
		assertThat(finder(true).findByName("a")).isEqualTo(Route.REPLICA);
	}

	@Test
	void writeCalledWithoutTransactionGetsNoRoute() {
		assertThat(finder(true).deleteByName("a")).isNull();
	}

	@Test
	void readCalledWhenRuleIsOffGetsNoRoute() {
		assertThat(finder(false).findByName("a")).isNull();
	}

	@Test
	void readFromPrimaryAppliesWhenRuleIsOff() {
		assertThat(finder(false).findFreshByName("a")).isEqualTo(Route.PRIMARY);
	}

	@Test
	void readCalledInsideTheCallersRouteKeepsIt() {
		Finder finder = finder(true);
		try (RoutingContext.Scope scope = RoutingContext.open(Route.PRIMARY)) {
			assertThat(finder.findByName("a")).isEqualTo(Route.PRIMARY);
		}
	}

	@Test
	void readCalledInsideTransactionJoinsIt() {
		Finder finder = finder(true);
		TransactionSynchronizationManager.setActualTransactionActive(true);
		try {
			assertThat(finder.findByName("a")).isNull();
		}
		finally {
			TransactionSynchronizationManager.setActualTransactionActive(false);
		}
	}

	private static Finder finder(boolean readsOnStandbys) {
		RoutingInterceptor routing = new RoutingInterceptor(new AnnotationTransactionAttributeSource(), () -> null,
				() -> 2, () -> RoutingObserver.NONE);
		ProxyFactory factory = new ProxyFactory(new RouteReporter());
		factory.addInterface(Finder.class);
		factory.addAdvice(new RepositoryRoutingInterceptor(routing, Finder.class,
				(method) -> method.getDeclaringClass() == Finder.class, readsOnStandbys));
		return (Finder) factory.getProxy();
	}

	private static Kind kind(Class<?> repository, String name, boolean queryMethod, Class<?>... parameters) {
		return RepositoryRoutingInterceptor.kindOf(method(repository, name, parameters), repository, queryMethod);
	}

	private static Method method(Class<?> repository, String name, Class<?>... parameters) {
		try {
			return repository.getMethod(name, parameters);
		}
		catch (NoSuchMethodException ex) {
			throw new IllegalStateException(ex);
		}
	}

	static class Thing {

	}

	interface Catalog extends CrudRepository<Thing, Long> {

		List<Thing> findByName(String name);

		long countByName(String name);

		boolean existsByName(String name);

		@Query("select t from Thing t where t.name = ?1")
		List<Thing> named(String name);

		@Modifying
		@Query("update Thing t set t.name = ?1")
		int rename(String name);

		@Lock(LockModeType.PESSIMISTIC_WRITE)
		List<Thing> findLockedByName(String name);

		@Procedure("archive_things")
		void archive(String name);

		long deleteByName(String name);

		long removeByName(String name);

		@Transactional
		List<Thing> findForUpdateByName(String name);

		@Transactional(readOnly = true)
		List<Thing> findQuicklyByName(String name);

		@ReadFromPrimary
		List<Thing> findFreshByName(String name);

		@ReadFromReplica
		long deleteStaleByName(String name);

		@ReadFromPrimary
		@ReadFromReplica
		List<Thing> findConfusedByName(String name);

		// Implemented by the application, as a custom fragment would be.
		List<Thing> findCustom(String name);

	}

	@ReadFromPrimary
	interface FreshCatalog extends CrudRepository<Thing, Long> {

		List<Thing> findByName(String name);

	}

	interface Finder {

		@Nullable Route findByName(String name);

		@Nullable Route deleteByName(String name);

		@ReadFromPrimary
		@Nullable Route findFreshByName(String name);

	}

	static class RouteReporter implements Finder {

		@Override
		public @Nullable Route findByName(String name) {
			return RoutingContext.current();
		}

		@Override
		public @Nullable Route deleteByName(String name) {
			return RoutingContext.current();
		}

		@Override
		public @Nullable Route findFreshByName(String name) {
			return RoutingContext.current();
		}

	}

}

package dev.tandem.routing;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.tandem.ReadFromPrimary;
import dev.tandem.ReadFromReplica;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.aop.framework.ProxyFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.transaction.annotation.AnnotationTransactionAttributeSource;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.AbstractPlatformTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link RoutingInterceptor}: the route each annotation gives, joining a
 * running transaction, and which failures run read-only work again. The methods record
 * the route they ran on; no transaction manager of Spring's runs, so no connection is
 * involved. Routing on a real cluster is covered by the routing integration tests.
 */
class RoutingInterceptorTests {

	private final List<Throwable> retried = new ArrayList<>();

	private final TransactionManager manager = new TransactionManager();

	private @Nullable TransactionManager availableManager = this.manager;

	private int attempts = 2;

	@AfterEach
	void clearTransaction() {
		TransactionSynchronizationManager.setActualTransactionActive(false);
		TransactionSynchronizationManager.setCurrentTransactionReadOnly(false);
	}

	@Test
	void aReadOnlyTransactionRunsOnAReplicaAndAReadWriteOneOnThePrimary() {
		Service service = proxy(new Service());
		assertThat(service.readOnly()).isEqualTo(Route.REPLICA);
		assertThat(service.readWrite()).isEqualTo(Route.PRIMARY);
		assertThat(RoutingContext.current()).as("the route ends with the call").isNull();
	}

	@Test
	void aMethodWithNeitherAnnotationGetsNoRoute() {
		assertThat(proxy(new Service()).plain()).isNull();
	}

	@Test
	void readFromPrimaryAndReadFromReplicaWinOverTheTransactionsFlag() {
		Service service = proxy(new Service());
		assertThat(service.readOnlyFromPrimary()).isEqualTo(Route.PRIMARY);
		assertThat(service.fromReplica()).isEqualTo(Route.REPLICA);
	}

	@Test
	void anAnnotationOnTheClassAppliesToEveryMethodWithoutOne() {
		ReplicaService service = proxy(new ReplicaService());
		assertThat(service.plain()).isEqualTo(Route.REPLICA);
		assertThat(service.fromPrimary()).isEqualTo(Route.PRIMARY);
	}

	@Test
	void bothAnnotationsOnOneMethodFailSayingWhichToKeep() {
		assertThatIllegalStateException().isThrownBy(() -> proxy(new Service()).both())
			.withMessageContaining("@ReadFromPrimary and @ReadFromReplica both apply to")
			.withMessageContaining("keep one of them");
	}

	@Test
	void aReadOnlyMethodWithoutATransactionRunsOnAReplicaAndANonTransactionalWriteGetsNoRoute() {
		Service service = proxy(new Service());
		assertThat(service.readOnlyNotSupported()).isEqualTo(Route.REPLICA);
		assertThat(service.never()).isNull();
	}

	@Test
	void aMethodThatJoinsARunningTransactionKeepsItsRoute() {
		Service service = proxy(new Service());
		inTransaction(false);
		assertThat(service.readOnly()).as("joins: no route of its own").isNull();
		assertThat(service.fromReplica()).isNull();
		assertThat(service.requiresNew()).as("leaves the transaction").isEqualTo(Route.PRIMARY);
	}

	@Test
	void readFromPrimaryInsideAReadOnlyTransactionRunsInAReadOnlyTransactionOfItsOwnOnThePrimary() {
		Service service = proxy(new Service());
		inTransaction(true);
		assertThat(service.fromPrimary()).isEqualTo(Route.PRIMARY);
		assertThat(this.manager.definitions).singleElement().satisfies((definition) -> {
			assertThat(definition.getPropagationBehavior()).isEqualTo(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
			assertThat(definition.isReadOnly()).isTrue();
		});
		assertThat(this.manager.commits).hasValue(1);
	}

	@Test
	void readFromPrimaryInsideAReadOnlyTransactionRollsBackItsOwnTransactionWhenItFails() {
		Service service = proxy(new Service());
		inTransaction(true);
		assertThatIllegalStateException().isThrownBy(service::fromPrimaryFailing).withMessage("failed");
		assertThat(this.manager.rollbacks).hasValue(1);
		assertThat(this.manager.commits).hasValue(0);
	}

	@Test
	void readFromPrimaryInsideAReadOnlyTransactionWithoutASingleTransactionManagerFailsSayingSo() {
		this.availableManager = null;
		Service service = proxy(new Service());
		inTransaction(true);
		assertThatIllegalStateException().isThrownBy(service::fromPrimary)
			.withMessageContaining("needs a single PlatformTransactionManager");
	}

	@Test
	void aReadOnlyTransactionThatLostItsNodeRunsAgainAndTheObserverHearsIt() throws Exception {
		Service service = proxy(new Service());
		SQLException lost = new SQLException("terminating connection due to administrator command", "57P01");
		assertThat(service.failingFirst(new DataAccessResourceFailureException("lost", lost))).isEqualTo(2);
		assertThat(this.retried).singleElement().isInstanceOf(DataAccessResourceFailureException.class);
	}

	@Test
	void aRecoveryConflictRunsReadOnlyWorkAgain() throws Exception {
		Service service = proxy(new Service());
		assertThat(service.failingFirst(new SQLExceptionWrapper(new SQLException("conflict", "40001")))).isEqualTo(2);
	}

	@Test
	void noMoreAttemptsThanConfigured() {
		this.attempts = 1;
		Service service = proxy(new Service());
		assertThatExceptionOfType(SQLExceptionWrapper.class)
			.isThrownBy(() -> service.failingFirst(new SQLExceptionWrapper(new SQLException("lost", "08006"))));
		assertThat(this.retried).isEmpty();
	}

	@Test
	void otherFailuresAndNoStandbyAreNotRunAgain() {
		Service service = proxy(new Service());
		assertThatExceptionOfType(SQLExceptionWrapper.class)
			.isThrownBy(() -> service.failingFirst(new SQLExceptionWrapper(new SQLException("duplicate", "23505"))));
		assertThatExceptionOfType(NoStandbyAvailableException.class)
			.isThrownBy(() -> proxy(new Service()).failingFirst(new NoStandbyAvailableException("none")));
		assertThat(this.retried).isEmpty();
	}

	@Test
	void readWriteWorkIsNeverRunAgain() {
		Service service = proxy(new Service());
		assertThatExceptionOfType(SQLExceptionWrapper.class)
			.isThrownBy(() -> service.writeFailingFirst(new SQLExceptionWrapper(new SQLException("lost", "08006"))));
		assertThat(this.retried).isEmpty();
	}

	@Test
	void nodeLostLooksThroughCausesSuppressedNextExceptionsAndHiddenApplicationExceptions() {
		SQLException lost = new SQLException("lost", "08006");
		SQLException chained = new SQLException("batch failed", "XX000");
		chained.setNextException(lost);
		assertThat((Throwable) RoutingInterceptor.nodeLost(chained)).isSameAs(lost);
		RuntimeException suppressing = new IllegalStateException("outer");
		suppressing.addSuppressed(lost);
		assertThat((Throwable) RoutingInterceptor.nodeLost(suppressing)).isSameAs(lost);
		TransactionSystemException rollbackFailed = new TransactionSystemException("rollback failed");
		rollbackFailed.initApplicationException(new SQLExceptionWrapper(lost));
		assertThat((Throwable) RoutingInterceptor.nodeLost(rollbackFailed)).isSameAs(lost);
		assertThat((Throwable) RoutingInterceptor.nodeLost(new IllegalStateException("no SQL"))).isNull();
		RuntimeException cyclic = new IllegalStateException("a");
		RuntimeException other = new IllegalStateException("b", cyclic);
		cyclic.addSuppressed(other);
		assertThat((Throwable) RoutingInterceptor.nodeLost(cyclic)).isNull();
	}

	private static void inTransaction(boolean readOnly) {
		TransactionSynchronizationManager.setActualTransactionActive(true);
		TransactionSynchronizationManager.setCurrentTransactionReadOnly(readOnly);
	}

	@SuppressWarnings("unchecked")
	private <T> T proxy(T target) {
		ProxyFactory factory = new ProxyFactory(target);
		factory.setProxyTargetClass(true);
		factory.addAdvice(new RoutingInterceptor(new AnnotationTransactionAttributeSource(),
				() -> this.availableManager, () -> this.attempts, () -> new RoutingObserver() {

					@Override
					public void readRetried(int attempt, Throwable failure) {
						RoutingInterceptorTests.this.retried.add(failure);
					}

				}));
		return (T) factory.getProxy();
	}

	/** An unchecked exception carrying an SQLException, as Spring's translation does. */
	static class SQLExceptionWrapper extends RuntimeException {

		SQLExceptionWrapper(SQLException cause) {
			super(cause.getMessage(), cause);
		}

	}

	static class Service {

		private final AtomicInteger calls = new AtomicInteger();

		@Transactional(readOnly = true)
		public @Nullable Route readOnly() {
			return RoutingContext.current();
		}

		@Transactional
		public @Nullable Route readWrite() {
			return RoutingContext.current();
		}

		public @Nullable Route plain() {
			return RoutingContext.current();
		}

		@Transactional(readOnly = true)
		@ReadFromPrimary
		public @Nullable Route readOnlyFromPrimary() {
			return RoutingContext.current();
		}

		@ReadFromPrimary
		public @Nullable Route fromPrimary() {
			return RoutingContext.current();
		}

		@ReadFromPrimary
		public @Nullable Route fromPrimaryFailing() {
			throw new IllegalStateException("failed");
		}

		@ReadFromReplica
		public @Nullable Route fromReplica() {
			return RoutingContext.current();
		}

		@ReadFromPrimary
		@ReadFromReplica
		public @Nullable Route both() {
			return RoutingContext.current();
		}

		@Transactional(readOnly = true, propagation = Propagation.NOT_SUPPORTED)
		public @Nullable Route readOnlyNotSupported() {
			return RoutingContext.current();
		}

		@Transactional(propagation = Propagation.NEVER)
		public @Nullable Route never() {
			return RoutingContext.current();
		}

		@Transactional(propagation = Propagation.REQUIRES_NEW)
		public @Nullable Route requiresNew() {
			return RoutingContext.current();
		}

		@Transactional(readOnly = true)
		public int failingFirst(Exception failure) throws Exception {
			assertThat(RoutingContext.current()).isEqualTo(Route.REPLICA);
			if (this.calls.incrementAndGet() == 1) {
				throw failure;
			}
			return this.calls.get();
		}

		@Transactional
		public int writeFailingFirst(RuntimeException failure) {
			if (this.calls.incrementAndGet() == 1) {
				throw failure;
			}
			return this.calls.get();
		}

	}

	@ReadFromReplica
	static class ReplicaService {

		public @Nullable Route plain() {
			return RoutingContext.current();
		}

		@ReadFromPrimary
		public @Nullable Route fromPrimary() {
			return RoutingContext.current();
		}

	}

	/** Records what it is asked; holds no resource. */
	static class TransactionManager extends AbstractPlatformTransactionManager {

		final List<TransactionDefinition> definitions = new ArrayList<>();

		final AtomicInteger commits = new AtomicInteger();

		final AtomicInteger rollbacks = new AtomicInteger();

		@Override
		protected Object doGetTransaction() {
			return new Object();
		}

		@Override
		protected void doBegin(Object transaction, TransactionDefinition definition) {
			this.definitions.add(definition);
		}

		@Override
		protected void doCommit(DefaultTransactionStatus status) {
			this.commits.incrementAndGet();
		}

		@Override
		protected void doRollback(DefaultTransactionStatus status) {
			this.rollbacks.incrementAndGet();
		}

		@Override
		protected @Nullable Object doSuspend(Object transaction) {
			return null;
		}

		@Override
		protected void doResume(@Nullable Object transaction, Object suspendedResources) {
		}

	}

}

package dev.tandem.consistency;

import dev.tandem.wal.Lsn;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read-your-writes state of a thread, taken on the thread that hands work over and
 * put in force on the thread that runs it: the consistency key, the causal token of the
 * request (the client's token and the request's own commits) or of a {@link ReadAfter}
 * block, and the latest commit of the thread. Tandem's task decorator and
 * context-propagation accessor use it; applications have no need to.
 * <p>
 * Work handed over shares the request's token: its reads see what the client's token and
 * the request's writes ask for, and its writes become the request's token while the
 * response can still carry it. Work handed over by a thread that is not in a request
 * reads at least as fresh as that thread's latest commit.
 */
public final class ConsistencyContext {

	private static final Logger logger = LoggerFactory.getLogger(ConsistencyContext.class);

	private static final ConsistencyContext NONE = new ConsistencyContext(null, null, null);

	private final @Nullable String key;

	private final @Nullable CausalTokens tokens;

	private final @Nullable Lsn threadCommit;

	private ConsistencyContext(@Nullable String key, @Nullable CausalTokens tokens, @Nullable Lsn threadCommit) {
		this.key = key;
		this.tokens = tokens;
		this.threadCommit = threadCommit;
	}

	/**
	 * The state of the current thread as it is, to {@link #reinstate()} later.
	 * @return the state
	 */
	public static ConsistencyContext current() {
		return new ConsistencyContext(ConsistencyKey.current(), CausalTokens.current(), CausalTokens.threadCommit());
	}

	/**
	 * What work handed over by the current thread carries: the key set in code, else the
	 * key {@code keys} resolves now (the principal, header or session of the request,
	 * which the other thread will not have), the token and the latest commit.
	 * @param keys the application's resolver, or {@code null} for the key set in code
	 * only
	 * @return the state
	 */
	public static ConsistencyContext capture(@Nullable ConsistencyKeyResolver keys) {
		String key = ConsistencyKey.current();
		if (key == null && keys != null) {
			try {
				key = keys.resolve();
			}
			catch (RuntimeException ex) {
				logger.debug("The consistency key resolver failed; the work handed over has no key: {}", ex.toString());
			}
		}
		return new ConsistencyContext(key, CausalTokens.current(), CausalTokens.threadCommit());
	}

	/**
	 * Whether there is nothing to carry.
	 * @return {@code true} when no key, token or commit is set
	 */
	public boolean isEmpty() {
		return this.key == null && this.tokens == null && this.threadCommit == null;
	}

	/**
	 * Puts this state in force on the current thread as work handed over: the key, the
	 * shared token, or a token of the latest commit of the thread that handed it over.
	 * The thread's own latest commit starts empty.
	 */
	public void propagate() {
		ConsistencyKey.set(this.key);
		CausalTokens tokens = this.tokens;
		if (tokens == null && this.threadCommit != null) {
			tokens = new CausalTokens(this.threadCommit, (lsn) -> {
			});
		}
		CausalTokens.bind(tokens);
		CausalTokens.setThreadCommit(null);
	}

	/**
	 * Puts this state back exactly as {@link #current()} took it.
	 */
	public void reinstate() {
		ConsistencyKey.set(this.key);
		CausalTokens.bind(this.tokens);
		CausalTokens.setThreadCommit(this.threadCommit);
	}

	/**
	 * Clears the state of the current thread.
	 */
	public static void clear() {
		NONE.reinstate();
	}

	@Override
	public String toString() {
		return "ConsistencyContext [key " + ((this.key != null) ? "set" : "none") + ", token "
				+ ((this.tokens != null) ? "set" : "none") + ", thread commit " + this.threadCommit + "]";
	}

}

package dev.tandem.benchmarks;

import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import dev.tandem.consistency.CausalTokenFilter;
import org.jspecify.annotations.Nullable;

/**
 * Carries a causal token from one unit of work to the next, on any Tandem instance of the
 * JVM, the way a web client carries it from one response to its next request, but with no
 * HTTP: each unit of work runs inside Tandem's public {@link CausalTokenFilter}, driven
 * with a stand-in request that holds the token (in the {@value #HEADER} header) and a
 * stand-in response that catches the token the work's commits produce.
 * <p>
 * {@code CausalTokens} binds its holder to the thread only through the filter; a public
 * way to bind one ({@code CausalTokens.bind(Lsn)} returning a scope that yields its last
 * commit) would make the stand-ins unnecessary.
 */
public final class CausalTokenCarrier {

	/** The header the stand-in request and response use. */
	static final String HEADER = "X-Read-After";

	private static final CausalTokenFilter filter = new CausalTokenFilter(HEADER, null, Duration.ofMinutes(1));

	private volatile @Nullable String token;

	/**
	 * The token of the last unit of work that committed.
	 * @return the token, or {@code null} before any commit
	 */
	public @Nullable String token() {
		return this.token;
	}

	/**
	 * Runs work as one request carrying the current token, and keeps the token of the
	 * work's commits, if any, for the next.
	 * @param <T> the result type
	 * @param work the work
	 * @return what the work returned
	 * @throws Exception what the work threw
	 */
	public <T> T call(Callable<T> work) throws Exception {
		Map<String, Object> attributes = new HashMap<>();
		Map<String, String> replied = new HashMap<>();
		String sent = this.token;
		HttpServletRequest request = proxy(HttpServletRequest.class,
				(proxy, method, args) -> switch (method.getName()) {
					case "getHeader" -> HEADER.equalsIgnoreCase((String) args[0]) ? sent : null;
					case "getAttribute" -> attributes.get((String) args[0]);
					case "setAttribute" -> attributes.put((String) args[0], args[1]);
					case "removeAttribute" -> attributes.remove((String) args[0]);
					case "getDispatcherType" -> DispatcherType.REQUEST;
					case "getContextPath" -> "";
					default -> defaultValue(method.getReturnType());
				});
		HttpServletResponse response = proxy(HttpServletResponse.class,
				(proxy, method, args) -> switch (method.getName()) {
					case "setHeader", "addHeader" -> replied.put(((String) args[0]).toLowerCase(), (String) args[1]);
					case "getHeader" -> replied.get(((String) args[0]).toLowerCase());
					default -> defaultValue(method.getReturnType());
				});
		Object[] result = new Object[1];
		try {
			filter.doFilter(request, response, (req, res) -> {
				try {
					result[0] = work.call();
				}
				catch (IOException | ServletException | RuntimeException ex) {
					throw ex;
				}
				catch (Exception ex) {
					throw new ServletException(ex);
				}
			});
		}
		catch (ServletException ex) {
			throw (ex.getCause() instanceof Exception cause) ? cause : ex;
		}
		finally {
			String received = replied.get(HEADER.toLowerCase());
			if (received != null) {
				this.token = received;
			}
		}
		@SuppressWarnings("unchecked")
		T value = (T) result[0];
		return value;
	}

	private static <T> T proxy(Class<T> type, InvocationHandler handler) {
		return type.cast(Proxy.newProxyInstance(CausalTokenCarrier.class.getClassLoader(), new Class<?>[] { type },
				(proxy, method, args) -> switch (method.getName()) {
					case "hashCode" -> System.identityHashCode(proxy);
					case "equals" -> proxy == args[0];
					case "toString" -> type.getSimpleName() + " stand-in";
					default -> handler.invoke(proxy, method, args);
				}));
	}

	private static @Nullable Object defaultValue(Class<?> type) {
		if (type == boolean.class) {
			return false;
		}
		if (type == int.class) {
			return 0;
		}
		if (type == long.class) {
			return 0L;
		}
		return null;
	}

}

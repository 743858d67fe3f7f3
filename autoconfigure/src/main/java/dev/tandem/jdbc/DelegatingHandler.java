package dev.tandem.jdbc;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

import org.jspecify.annotations.Nullable;

/**
 * The part every Tandem JDBC proxy shares: {@code equals} and {@code hashCode} by
 * identity, and every call the proxy does not answer itself passed to its target, which
 * throws its own exception rather than a reflective one.
 */
public abstract class DelegatingHandler implements InvocationHandler {

	/** What {@link #handle} returns for a call that goes to the target. */
	protected static final Object DELEGATE = new Object();

	/**
	 * A proxy of {@code type} with a handler.
	 * @param <T> the type
	 * @param type the interface the proxy implements
	 * @param handler the handler
	 * @return the proxy
	 */
	public static <T> T proxy(Class<T> type, DelegatingHandler handler) {
		return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] { type }, handler));
	}

	@Override
	public final @Nullable Object invoke(Object proxy, Method method, @Nullable Object[] args) throws Throwable {
		switch (method.getName()) {
			case "equals":
				return proxy == args[0];
			case "hashCode":
				return System.identityHashCode(proxy);
			default:
				Object answer = handle(proxy, method, args);
				if (answer != DELEGATE) {
					return answer;
				}
				try {
					return method.invoke(target(), args);
				}
				catch (InvocationTargetException ex) {
					throw ex.getTargetException();
				}
		}
	}

	/**
	 * Answers a call, or leaves it to the target.
	 * @param proxy the proxy
	 * @param method the method called
	 * @param args its arguments
	 * @return the answer, or {@link #DELEGATE} for the target's
	 * @throws Throwable what the call throws
	 */
	protected abstract @Nullable Object handle(Object proxy, Method method, @Nullable Object[] args) throws Throwable;

	/**
	 * The object the calls the proxy does not answer go to.
	 * @return the target
	 * @throws Exception when it cannot be had
	 */
	protected abstract Object target() throws Exception;

}

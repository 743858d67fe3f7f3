package dev.tandem.pool;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;

/**
 * A TCP endpoint that speaks just enough of the PostgreSQL protocol to record what a
 * client logs in with: it declines TLS and GSS encryption, asks for a cleartext password,
 * records the startup parameters and the password (or none, when the client gives up),
 * and refuses the login. Lets a test see what the driver sends without a server whose
 * authentication it would have to configure.
 */
final class LoginRecorder implements AutoCloseable {

	private static final int SSL_REQUEST = 80877103;

	private static final int GSSENC_REQUEST = 80877104;

	private static final int PROTOCOL_3 = 196608;

	private final ServerSocket server;

	private final List<Login> logins = new CopyOnWriteArrayList<>();

	private final Thread acceptor;

	LoginRecorder() {
		try {
			this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		this.acceptor = new Thread(this::accept, "login-recorder");
		this.acceptor.setDaemon(true);
		this.acceptor.start();
	}

	int port() {
		return this.server.getLocalPort();
	}

	/**
	 * Waits for the first login that matches.
	 * @param which which login
	 * @param timeout how long to wait at most
	 * @return the login
	 */
	Login await(Predicate<Login> which, Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (true) {
			for (Login login : this.logins) {
				if (which.test(login)) {
					return login;
				}
			}
			if (System.nanoTime() > deadline) {
				throw new AssertionError("No matching login within " + timeout + "; saw " + this.logins);
			}
			Thread.sleep(10);
		}
	}

	private void accept() {
		while (!this.server.isClosed()) {
			try {
				Socket socket = this.server.accept();
				Thread handler = new Thread(() -> handle(socket), "login-recorder-client");
				handler.setDaemon(true);
				handler.start();
			}
			catch (IOException ex) {
				return;
			}
		}
	}

	private void handle(Socket socket) {
		Map<String, String> parameters = new LinkedHashMap<>();
		String password = null;
		try (socket) {
			socket.setSoTimeout(5000);
			DataInputStream in = new DataInputStream(socket.getInputStream());
			DataOutputStream out = new DataOutputStream(socket.getOutputStream());
			while (true) {
				int length = in.readInt();
				int code = in.readInt();
				if (code == SSL_REQUEST || code == GSSENC_REQUEST) {
					out.writeByte('N');
					out.flush();
					continue;
				}
				byte[] body = new byte[length - 8];
				in.readFully(body);
				if (code != PROTOCOL_3) {
					return;
				}
				String[] fields = new String(body, StandardCharsets.UTF_8).split("\0");
				for (int i = 0; i + 1 < fields.length; i += 2) {
					parameters.put(fields[i], fields[i + 1]);
				}
				break;
			}
			// AuthenticationCleartextPassword
			out.writeByte('R');
			out.writeInt(8);
			out.writeInt(3);
			out.flush();
			try {
				if (in.readByte() == 'p') {
					byte[] message = new byte[in.readInt() - 4];
					in.readFully(message);
					password = new String(message, 0, message.length - 1, StandardCharsets.UTF_8);
				}
			}
			catch (IOException ex) {
				// The client closed the connection: it had no password to send
			}
			byte[] error = "SFATAL\0C28P01\0Mpassword authentication failed\0\0".getBytes(StandardCharsets.UTF_8);
			out.writeByte('E');
			out.writeInt(error.length + 4);
			out.write(error);
			out.flush();
		}
		catch (IOException ex) {
			// A client that went away early still counts with what it sent
		}
		finally {
			if (!parameters.isEmpty()) {
				this.logins.add(new Login(parameters, password));
			}
		}
	}

	@Override
	public void close() {
		try {
			this.server.close();
		}
		catch (IOException ex) {
			// closing anyway
		}
	}

	/**
	 * One login attempt.
	 *
	 * @param parameters the startup parameters (user, database, options, ...)
	 * @param password the password sent, or {@code null} when none was
	 */
	record Login(Map<String, String> parameters, @Nullable String password) {

		boolean readOnly() {
			return this.parameters.getOrDefault("options", "").contains("default_transaction_read_only=on");
		}

	}

}

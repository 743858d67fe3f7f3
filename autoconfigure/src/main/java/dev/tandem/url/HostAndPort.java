package dev.tandem.url;

/**
 * One host of a cluster URL with its TCP port.
 *
 * @param host the host name or IP address; an IPv6 address is held without brackets
 * @param port the TCP port, 1 to 65535
 */
public record HostAndPort(String host, int port) {

	/**
	 * Port PostgreSQL listens on unless told otherwise.
	 */
	public static final int DEFAULT_PORT = 5432;

	public HostAndPort {
		if (host.isBlank()) {
			throw new IllegalArgumentException("Host must not be blank");
		}
		if (host.startsWith("[") || host.endsWith("]")) {
			throw new IllegalArgumentException("Host '" + host + "' must be given without brackets");
		}
		if (port < 1 || port > 65535) {
			throw new IllegalArgumentException("Port " + port + " of host '" + host + "' is out of range 1..65535");
		}
	}

	/**
	 * Returns {@code host:port}, with an IPv6 address in brackets ({@code [::1]:5433}),
	 * as JDBC URLs and log lines spell it.
	 * @return the host and port
	 */
	@Override
	public String toString() {
		return (this.host.indexOf(':') >= 0) ? "[" + this.host + "]:" + this.port : this.host + ":" + this.port;
	}

}

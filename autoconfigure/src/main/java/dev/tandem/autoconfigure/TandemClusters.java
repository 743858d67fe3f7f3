package dev.tandem.autoconfigure;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

import dev.tandem.url.ClusterSpec;
import dev.tandem.url.ClusterUrlParser;
import dev.tandem.url.HostAndPort;
import dev.tandem.url.ReadTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;

/**
 * The writer and reader endpoints as the configuration names them, and the read target in
 * force. Resolution order: {@code tandem.writer.url}/{@code tandem.reader.url}, else
 * {@code tandem.url}, else the {@code DATABASE_URL} environment variable, else
 * {@code spring.datasource.url} with its user name and password.
 *
 * @param writer where writes go
 * @param reader the hosts that serve reads
 * @param readTarget where read-only work goes
 */
public record TandemClusters(ClusterSpec writer, ClusterSpec reader, ReadTarget readTarget) {

	private static final Logger logger = LoggerFactory.getLogger(TandemClusters.class);

	/**
	 * Every node to watch: the writer's hosts, then the reader's hosts not already
	 * listed.
	 * @return the nodes
	 */
	public List<HostAndPort> nodes() {
		LinkedHashSet<HostAndPort> nodes = new LinkedHashSet<>(this.writer.hosts());
		nodes.addAll(this.reader.hosts());
		return new ArrayList<>(nodes);
	}

	/**
	 * Connection settings of a node: the writer's for the writer's hosts, else the
	 * reader's.
	 * @param node the node
	 * @return its settings
	 */
	public ClusterSpec specFor(HostAndPort node) {
		return this.writer.hosts().contains(node) ? this.writer : this.reader;
	}

	static TandemClusters resolve(TandemProperties properties, Environment environment) {
		String writerUrl = properties.getWriter().getUrl();
		String readerUrl = properties.getReader().getUrl();
		ClusterSpec writer;
		ClusterSpec reader;
		if (StringUtils.hasText(writerUrl)) {
			writer = parse("tandem.writer.url", writerUrl, properties);
			reader = StringUtils.hasText(readerUrl) ? parse("tandem.reader.url", readerUrl, properties) : writer;
		}
		else if (StringUtils.hasText(readerUrl)) {
			throw new ClusterUrlMissingException(
					"tandem.reader.url is set but tandem.writer.url is not: separate endpoints need both");
		}
		else {
			writer = single(properties, environment);
			reader = writer;
		}
		warn(writer);
		if (reader != writer) {
			warn(reader);
		}
		return new TandemClusters(writer, reader, readTarget(properties, writer, reader));
	}

	private static ClusterSpec single(TandemProperties properties, Environment environment) {
		if (StringUtils.hasText(properties.getUrl())) {
			return parse("tandem.url", properties.getUrl(), properties);
		}
		String databaseUrl = environment.getProperty("DATABASE_URL");
		if (StringUtils.hasText(databaseUrl)) {
			return parse("DATABASE_URL", databaseUrl, properties);
		}
		String datasourceUrl = environment.getProperty("spring.datasource.url");
		if (StringUtils.hasText(datasourceUrl)) {
			return ClusterUrlParser.parse("spring.datasource.url", datasourceUrl)
				.withCredentials(environment.getProperty("spring.datasource.username"),
						environment.getProperty("spring.datasource.password"))
				.withCredentials(properties.getUsername(), properties.getPassword());
		}
		throw new ClusterUrlMissingException(
				"no PostgreSQL cluster is configured: tandem.url, the DATABASE_URL environment variable and "
						+ "spring.datasource.url are all unset");
	}

	private static ClusterSpec parse(String property, String url, TandemProperties properties) {
		return ClusterUrlParser.parse(property, url)
			.withCredentials(properties.getUsername(), properties.getPassword());
	}

	private static ReadTarget readTarget(TandemProperties properties, ClusterSpec writer, ClusterSpec reader) {
		if (properties.getReads().getTarget() != null) {
			return properties.getReads().getTarget();
		}
		if (reader.readTarget() != null) {
			return reader.readTarget();
		}
		return (writer.readTarget() != null) ? writer.readTarget() : ReadTarget.PREFER_STANDBY;
	}

	private static void warn(ClusterSpec spec) {
		spec.warnings().forEach(logger::warn);
	}

}

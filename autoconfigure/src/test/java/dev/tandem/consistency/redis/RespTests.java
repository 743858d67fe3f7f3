package dev.tandem.consistency.redis;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link Resp} and the parsing of {@code CLUSTER NODES} by
 * {@link RedisEndpoints}.
 */
class RespTests {

	@Test
	void aCommandIsAnArrayOfBulkStrings() {
		assertThat(new String(Resp.command("CLIENT", "ID", "é"), StandardCharsets.UTF_8))
			.isEqualTo("*3\r\n$6\r\nCLIENT\r\n$2\r\nID\r\n$2\r\né\r\n");
	}

	@Test
	void everyTypeIsRead() {
		Resp.Reader reader = reader("+OK\r\n-ERR no\r\n:42\r\n$3\r\nabc\r\n$-1\r\n_\r\n#t\r\n,1.5\r\n"
				+ "*2\r\n:1\r\n$1\r\nx\r\n%1\r\n+k\r\n:2\r\n=8\r\ntxt:info\r\n|1\r\n+a\r\n+b\r\n+c\r\n");
		assertThat(reader.next()).isEqualTo("OK");
		assertThat(reader.next()).isEqualTo(new Resp.Error("ERR no"));
		assertThat(reader.next()).isEqualTo(42L);
		assertThat(reader.next()).isEqualTo("abc");
		assertThat(reader.next()).isNull();
		assertThat(reader.next()).isNull();
		assertThat(reader.next()).isEqualTo(true);
		assertThat(reader.next()).isEqualTo("1.5");
		assertThat(reader.next()).isEqualTo(List.of(1L, "x"));
		assertThat(reader.next()).isEqualTo(List.of("k", 2L));
		assertThat(reader.next()).isEqualTo("info");
		assertThat(reader.next()).isEqualTo("c");
		assertThat(reader.next()).isSameAs(Resp.Reader.INCOMPLETE);
		assertThat(reader.hasPartialFrame()).isFalse();
	}

	@Test
	void anInvalidationIsAPushWithItsKeysOrNullForAFlush() {
		Resp.Reader reader = reader(
				">2\r\n$10\r\ninvalidate\r\n*2\r\n$3\r\nk:1\r\n$3\r\nk:2\r\n" + ">2\r\n$10\r\ninvalidate\r\n_\r\n");
		Resp.Push push = (Resp.Push) reader.next();
		assertThat(push.kind()).isEqualTo("invalidate");
		assertThat(push.content().get(1)).isEqualTo(List.of("k:1", "k:2"));
		Resp.Push flush = (Resp.Push) reader.next();
		assertThat(flush.content()).containsExactly("invalidate", null);
	}

	@Test
	void framesArrivingByteByByteComeOutWholeOnce() {
		byte[] bytes = ">2\r\n$10\r\ninvalidate\r\n*1\r\n$5\r\nabcde\r\n+PONG\r\n".getBytes(StandardCharsets.UTF_8);
		Resp.Reader reader = new Resp.Reader();
		int frames = 0;
		for (int i = 0; i < bytes.length; i++) {
			reader.add(bytes, i, 1);
			Object frame = reader.next();
			if (frame != Resp.Reader.INCOMPLETE) {
				frames++;
				assertThat(frame).isIn("PONG", new Resp.Push(Arrays.asList("invalidate", List.of("abcde"))));
			}
			else {
				assertThat(reader.hasPartialFrame()).isTrue();
			}
		}
		assertThat(frames).isEqualTo(2);
		assertThat(reader.hasPartialFrame()).isFalse();
	}

	@Test
	void aFrameLargerThanTheBufferIsRead() {
		String key = "k".repeat(10_000);
		Resp.Reader reader = reader("$" + key.length() + "\r\n" + key + "\r\n");
		assertThat(reader.next()).isEqualTo(key);
	}

	@Test
	void bytesThatAreNotTheProtocolAreRefused() {
		assertThatIllegalStateException().isThrownBy(() -> reader("?what\r\n").next())
			.withMessageContaining("Not the Redis protocol");
	}

	@Test
	void theMastersOfAClusterAreReadFromClusterNodes() {
		String nodes = """
				07c3 127.0.0.1:30004@40004 slave e7d1 0 1426238317239 4 connected
				67ed 127.0.0.1:30002@40002 master - 0 1426238316232 2 connected 5461-10922
				292f 127.0.0.1:30003@40003,host-c master - 0 1426238318243 3 connected 10923-16383
				6ec2 127.0.0.1:30005@40005 master,fail - 1426238316232 1426238315228 5 connected
				e7d1 127.0.0.1:30001@40001 myself,master - 0 0 1 connected 0-5460
				9a1b :0@0 master,noaddr - 0 0 6 connected
				""";
		assertThat(RedisEndpoints.clusterMasters(nodes)).containsExactly(
				InetSocketAddress.createUnresolved("127.0.0.1", 30001),
				InetSocketAddress.createUnresolved("127.0.0.1", 30002),
				InetSocketAddress.createUnresolved("127.0.0.1", 30003));
	}

	private static Resp.Reader reader(String text) {
		byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
		Resp.Reader reader = new Resp.Reader();
		reader.add(bytes, 0, bytes.length);
		return reader;
	}

}

/*
 * Copyright 2026 the original author or authors.
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *      https://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

package dev.tandem.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The life cycle of a set of {@link RedisServer}s that live in sub-folders of one folder,
 * as {@link RedisSentinel} and {@link RedisCluster} do.
 *
 * @author Tandem contributors
 */
final class RedisServerSets {

	private RedisServerSets() {
	}

	/**
	 * Prepare the folder of a set of servers: stop the servers a run that did not close
	 * the set left in its sub-folders, then delete it and create it empty.
	 */
	static void prepare(Path directory) {
		if (Files.isDirectory(directory)) {
			try (DirectoryStream<Path> folders = Files.newDirectoryStream(directory, Files::isDirectory)) {
				for (Path folder : folders) {
					RedisServer.stopLeftover(folder);
				}
			}
			catch (IOException ex) {
				throw new UncheckedIOException("Could not list " + directory, ex);
			}
		}
		FileTree.delete(directory);
		try {
			Files.createDirectories(directory);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Close every server, then delete the set's folder if they all stopped.
	 */
	static void closeAll(Path directory, List<RedisServer> servers) {
		RuntimeException failure = null;
		for (RedisServer server : servers) {
			try {
				server.close();
			}
			catch (RuntimeException ex) {
				if (failure == null) {
					failure = ex;
				}
				else {
					failure.addSuppressed(ex);
				}
			}
		}
		if (failure != null) {
			throw failure;
		}
		FileTree.delete(directory);
	}

	/**
	 * Stop servers of a set that failed to start; keep their folders, whose logs explain
	 * the failure.
	 */
	static void stopAll(List<RedisServer> servers, RuntimeException failure) {
		for (RedisServer server : servers) {
			try {
				server.stop();
			}
			catch (RuntimeException ex) {
				failure.addSuppressed(ex);
			}
		}
	}

	static List<RedisServer> concat(List<RedisServer> first, List<RedisServer> second) {
		List<RedisServer> all = new ArrayList<>(first);
		all.addAll(second);
		return all;
	}

}

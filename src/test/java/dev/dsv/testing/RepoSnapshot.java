package dev.dsv.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * The content of a repository's {@code .dsv} folder: every file with its SHA-256, except the
 * index (a rebuildable cache that reads may update) and the lock file. Two equal snapshots mean
 * the repository was left exactly as it was.
 */
public final class RepoSnapshot {
    private RepoSnapshot() {
    }

    public static Map<String, String> of(Path library) {
        Path dsv = library.resolve(".dsv");
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dsv)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                String name = dsv.relativize(p).toString();
                if (name.startsWith("index.sqlite") || name.equals("lock")) {
                    continue;
                }
                files.put(name, DigestUtils.sha256Hex(Files.readAllBytes(p)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }
}

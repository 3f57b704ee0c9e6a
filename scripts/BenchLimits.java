import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The machine limits that scripts/bench compares dsv against. The script compiles it with javac;
 * by hand, the JDK's source launcher runs it ({@code java scripts/BenchLimits.java MODE ...}).
 * Each mode prints one line: what it did and the seconds it took inside the JVM (the script times
 * the whole process, start-up included, as it does for dsv).
 *
 * <ul>
 *   <li>{@code sha256 MB}: SHA-256 of an MB-sized random buffer, 8 times; prints MB/s of one core.
 *   <li>{@code hash DIR THREADS}: reads and hashes every file under DIR with THREADS threads.
 *   <li>{@code walk DIR}: walks DIR and reads the attributes (stat) of every file.
 *   <li>{@code write DIR BYTES FILES}: writes BYTES random bytes sequentially as FILES large files
 *       in DIR, and fsyncs each.
 * </ul>
 */
public final class BenchLimits {
    public static void main(String[] args) throws Exception {
        long start = System.nanoTime();
        String result = switch (args[0]) {
            case "sha256" -> sha256(Integer.parseInt(args[1]));
            case "hash" -> hash(Path.of(args[1]), Integer.parseInt(args[2]));
            case "walk" -> walk(Path.of(args[1]));
            case "write" -> write(Path.of(args[1]), Long.parseLong(args[2]), Integer.parseInt(args[3]));
            default -> throw new IllegalArgumentException(
                    "invalid mode " + args[0] + "; expected sha256, hash, walk or write");
        };
        System.out.printf("%s in %.3f s%n", result, (System.nanoTime() - start) / 1e9);
    }

    private static String sha256(int megabytes) throws Exception {
        byte[] buffer = new byte[megabytes << 20];
        new Random(1).nextBytes(buffer);
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        digest.update(buffer);
        digest.digest();
        long start = System.nanoTime();
        int rounds = 8;
        for (int i = 0; i < rounds; i++) {
            digest.update(buffer);
            digest.digest();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return String.format("sha256 %.0f MB/s on one core", rounds * (double) buffer.length / 1e6 / seconds);
    }

    private static List<Path> files(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                if (attributes.isRegularFile()) {
                    files.add(file);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return files;
    }

    private static String hash(Path dir, int threads) throws Exception {
        List<Path> files = files(dir);
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<Long>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                MessageDigest digest = MessageDigest.getInstance("SHA-256");
                byte[] buffer = new byte[1 << 16];
                long bytes = 0;
                for (int i = next.getAndIncrement(); i < files.size(); i = next.getAndIncrement()) {
                    try (InputStream in = Files.newInputStream(files.get(i))) {
                        for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                            digest.update(buffer, 0, n);
                            bytes += n;
                        }
                    }
                    digest.digest();
                }
                return bytes;
            }));
        }
        long bytes = 0;
        for (Future<Long> future : futures) {
            bytes += future.get();
        }
        pool.shutdown();
        return String.format("read+hash %d files, %.1f MB, %d threads", files.size(), bytes / 1e6, threads);
    }

    private static String walk(Path dir) throws IOException {
        long[] count = new long[2];
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                count[0]++;
                count[1] += attributes.size();
                return FileVisitResult.CONTINUE;
            }
        });
        return String.format("walk with stat of %d files, %.1f MB", count[0], count[1] / 1e6);
    }

    private static String write(Path dir, long bytes, int fileCount) throws IOException {
        Files.createDirectories(dir);
        byte[] block = new byte[8 << 20];
        new Random(2).nextBytes(block);
        long perFile = bytes / fileCount;
        for (int f = 0; f < fileCount; f++) {
            long size = f == fileCount - 1 ? bytes - perFile * (fileCount - 1) : perFile;
            try (FileChannel channel = FileChannel.open(dir.resolve("part-" + f), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                for (long written = 0; written < size; ) {
                    ByteBuffer buffer = ByteBuffer.wrap(block, 0, (int) Math.min(block.length, size - written));
                    written += channel.write(buffer);
                }
                channel.force(true);
            }
        }
        return String.format("sequential write of %.1f MB as %d files with fsync", bytes / 1e6, fileCount);
    }
}

package dev.dsv.bench;

import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.s3.FaultProxy;
import dev.dsv.testing.s3.S3TestCredentials;
import dev.dsv.testing.s3.S3TestServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Measures dsv push, no-op push, clone and partial clone against an S3 server on 127.0.0.1
 * (S3Proxy with a filesystem backend, in this JVM, behind the tests' HTTP proxy, which counts the
 * requests and the bytes each way), beside a plain parallel upload, listing and download of the same files with the SDK:
 * the work an {@code aws s3 sync} does. Run by scripts/bench-s3.
 *
 * <p>Arguments: IMAGES_DIR LABELS_CSV WORK_DIR TRANSFERS FILTER (such as {@code cell-type=mono}).
 */
public final class S3Bench {
    private S3Bench() {
    }

    public static void main(String[] args) throws Exception {
        Path images = Path.of(args[0]).toAbsolutePath();
        Path labels = Path.of(args[1]).toAbsolutePath();
        Path work = Path.of(args[2]).toAbsolutePath();
        String transfers = args[3];
        String filter = args[4];
        Files.createDirectories(work);
        S3TestCredentials.install();
        try (S3TestServer server = S3TestServer.start(); FaultProxy proxy = new FaultProxy(server.port())) {
            server.createBucket("bench");
            server.createBucket("baseline");
            String[] s3 = {"--endpoint", proxy.endpoint(), "--path-style", "--region", "us-east-1", "--option",
                "profile=" + S3TestCredentials.PROFILE, "--transfers", transfers};
            String url = "s3://bench/lib";

            long t = System.nanoTime();
            run(work, "init", "lib");
            Path lib = work.resolve("lib");
            run(lib, "switch", "-c", "data");
            run(lib, "add", images.toString(), "--labels", labels.toString(), "--source", "production",
                    "--labeler", "bench");
            run(lib, "commit", "-m", "bench data");
            report("dsv add + commit (local, for reference)", t, -1, -1);
            run(lib, concat(s3, "remote", "add", "origin", url));

            step(proxy, "dsv push", () -> run(lib, "push", "origin", "data"));
            step(proxy, "dsv push, nothing to send", () -> run(lib, "push", "origin", "data"));
            step(proxy, "dsv clone", () -> reportFetched(run(work, concat(s3, "--json", "clone", url, "clone"))));
            step(proxy, "dsv clone --filter " + filter, () -> reportFetched(run(work, concat(s3, "--json", "clone",
                    "--filter", filter, url, "partial"))));

            List<Path> files;
            try (Stream<Path> s = Files.walk(images)) {
                files = s.filter(Files::isRegularFile).sorted().toList();
            }
            int threads = Integer.parseInt(transfers);
            try (S3Client client = S3Client.builder()
                    .httpClientBuilder(Apache5HttpClient.builder().maxConnections(threads))
                    .endpointOverride(URI.create(proxy.endpoint())).forcePathStyle(true)
                    .region(Region.US_EAST_1)
                    .credentialsProvider(StaticCredentialsProvider.create(
                            AwsBasicCredentials.create(S3TestServer.ACCESS_KEY, S3TestServer.SECRET_KEY)))
                    .build()) {
                step(proxy, "SDK: PutObject of every file, " + threads + " threads", () -> parallel(files, threads,
                        f -> client.putObject(b -> b.bucket("baseline").key(images.relativize(f).toString()),
                                RequestBody.fromFile(f))));
                step(proxy, "SDK: list every key (a no-op sync)", () -> {
                    long n = 0;
                    for (S3Object o : client.listObjectsV2Paginator(b -> b.bucket("baseline")).contents()) {
                        n += o.size() >= 0 ? 1 : 0;
                    }
                    if (n != files.size()) {
                        throw new IllegalStateException("listed " + n + " of " + files.size());
                    }
                });
                Path down = work.resolve("baseline-down");
                step(proxy, "SDK: GetObject of every file, " + threads + " threads", () -> parallel(files, threads, f -> {
                    Path target = down.resolve(images.relativize(f).toString());
                    Files.createDirectories(target.getParent());
                    client.getObject(b -> b.bucket("baseline").key(images.relativize(f).toString()),
                            ResponseTransformer.toFile(target));
                }));
            }
            long bytes = 0;
            for (Path f : files) {
                bytes += Files.size(f);
            }
            System.out.printf("files: %d, %.1f MB%n", files.size(), bytes / 1e6);
        }
    }

    interface Step {
        void run() throws Exception;
    }

    interface FileTask {
        void run(Path file) throws Exception;
    }

    private static void step(FaultProxy proxy, String name, Step step) throws Exception {
        int requests = proxy.requests();
        long sent = proxy.forwardedRequestBytes();
        long received = proxy.responseBytes();
        long t = System.nanoTime();
        step.run();
        report(name, t, proxy.requests() - requests, proxy.forwardedRequestBytes() - sent,
                proxy.responseBytes() - received);
    }

    private static void report(String name, long start, long requests, long bytesUp) {
        report(name, start, requests, bytesUp, -1);
    }

    /** Prints one step: seconds, requests, and the request and response bytes through the proxy. */
    private static void report(String name, long start, long requests, long bytesUp, long bytesDown) {
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("%-48s %9.2f s %9s requests %10s MB up %10s MB down%n", name, seconds,
                requests < 0 ? "-" : Long.toString(requests), megabytes(bytesUp), megabytes(bytesDown));
    }

    private static String megabytes(long bytes) {
        return bytes < 0 ? "-" : String.format("%.1f", bytes / 1e6);
    }

    /** Prints the objects and record bytes that a clone stored, from its JSON output. */
    private static void reportFetched(CliResult clone) {
        var fetch = clone.json().path("fetch");
        System.out.printf("  the clone below stored %d objects, %.1f MB of pack records%n",
                fetch.path("objects_fetched").asLong(), fetch.path("bytes_fetched").asLong() / 1e6);
    }

    private static void parallel(List<Path> files, int threads, FileTask task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicLong next = new AtomicLong();
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                futures.add(pool.submit(() -> {
                    for (long k = next.getAndIncrement(); k < files.size(); k = next.getAndIncrement()) {
                        task.run(files.get((int) k));
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = new String[a.length + b.length];
        System.arraycopy(b, 0, all, 0, b.length);
        System.arraycopy(a, 0, all, b.length, a.length);
        return all;
    }

    private static CliResult run(Path dir, String... args) {
        CliResult r = Dsv.run(dir, args);
        if (r.exitCode() != 0) {
            throw new IllegalStateException("dsv " + String.join(" ", args) + " failed: " + r);
        }
        return r;
    }
}

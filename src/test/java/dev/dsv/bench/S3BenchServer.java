package dev.dsv.bench;

import dev.dsv.testing.s3.FaultProxy;
import dev.dsv.testing.s3.S3TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Runs the tests' S3 server (S3Proxy with a filesystem backend, on 127.0.0.1) in its own process
 * for scripts/bench, behind the tests' HTTP proxy, which counts the requests. Writes the endpoint,
 * the backend folder (objects are files at BACKEND/BUCKET/KEY) and a credentials profile into
 * WORK_DIR, then rewrites WORK_DIR/requests with the request count
 * every 50 ms until the process is stopped.
 *
 * <p>Arguments: WORK_DIR BUCKET...
 */
public final class S3BenchServer {
    private S3BenchServer() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]).toAbsolutePath();
        Files.createDirectories(work);
        try (S3TestServer server = S3TestServer.start(); FaultProxy proxy = new FaultProxy(server.port())) {
            for (int i = 1; i < args.length; i++) {
                server.createBucket(args[i]);
            }
            Files.writeString(work.resolve("credentials"), "[bench]\naws_access_key_id = " + S3TestServer.ACCESS_KEY
                    + "\naws_secret_access_key = " + S3TestServer.SECRET_KEY + "\n");
            Files.writeString(work.resolve("config"), "[profile bench]\nregion = us-east-1\n");
            Files.writeString(work.resolve("backend"), server.directory() + "\n");
            Files.writeString(work.resolve("endpoint"), proxy.endpoint() + "\n");
            Path counter = work.resolve("requests");
            Path temporary = work.resolve("requests.tmp");
            while (true) {
                Files.writeString(temporary, proxy.requests() + "\n");
                Files.move(temporary, counter, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                Thread.sleep(50);
            }
        }
    }
}

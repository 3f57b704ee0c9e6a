package dev.dsv.remote.s3;

import dev.dsv.remote.RemoteSpec;
import dev.dsv.remote.RemoteStorage;
import dev.dsv.remote.RemoteStorageContract;
import dev.dsv.testing.s3.S3TestCredentials;
import dev.dsv.testing.s3.S3TestServer;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The storage contract on a real S3-compatible server: S3Proxy on 127.0.0.1, in the configuration
 * that is atomic for conditional writes ({@link S3TestServer.Conditions#ATOMIC}), so the contract's
 * concurrent compare-and-swap test checks real one-winner behaviour. Each test gets a new bucket
 * and, for half of them, a key prefix.
 */
class S3RemoteStorageTest extends RemoteStorageContract {
    private static S3TestServer server;
    private static final AtomicInteger BUCKETS = new AtomicInteger();

    @BeforeAll
    static void startServer() {
        S3TestCredentials.install();
        server = S3TestServer.start(S3TestServer.Conditions.ATOMIC);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Override
    protected RemoteStorage newStorage() {
        int n = BUCKETS.incrementAndGet();
        String bucket = "contract-" + n;
        server.createBucket(bucket);
        String url = n % 2 == 0 ? "s3://" + bucket : "s3://" + bucket + "/team/lib";
        return new S3StorageProvider().open(spec(url, server.endpoint()));
    }

    static RemoteSpec spec(String url, String endpoint, String... extra) {
        Map<String, String> options = new java.util.HashMap<>(Map.of(S3Settings.ENDPOINT, endpoint,
                S3Settings.PATH_STYLE, "true", S3Settings.REGION, "us-east-1",
                S3Settings.PROFILE, S3TestCredentials.PROFILE));
        for (int i = 0; i + 1 < extra.length; i += 2) {
            options.put(extra[i], extra[i + 1]);
        }
        return new RemoteSpec("origin", url, options);
    }
}

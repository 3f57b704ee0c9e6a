package dev.dsv.remote.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dsv.error.ExitCode;
import dev.dsv.remote.RemoteStorage;
import dev.dsv.remote.RemoteStorageException;
import dev.dsv.remote.RetryingStorage;
import dev.dsv.testing.s3.FaultProxy;
import dev.dsv.testing.s3.S3TestCredentials;
import dev.dsv.testing.s3.S3TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failures between dsv and a real S3 server (S3Proxy on 127.0.0.1), injected by {@link FaultProxy}:
 * error answers for a while, connections cut in the middle of an upload, wrong credentials and a
 * bucket that does not exist. Each ends with a failure that names the remote and its bucket and
 * says whether a retry can help, and the same operation completes once the fault is gone.
 */
class S3FaultTest {
    private static S3TestServer server;
    private FaultProxy proxy;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        S3TestCredentials.install();
        server = S3TestServer.start();
        server.createBucket("faults");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void startProxy() throws Exception {
        proxy = new FaultProxy(server.port());
    }

    @AfterEach
    void stopProxy() throws Exception {
        proxy.close();
    }

    private RetryingStorage open(String url, String... extra) {
        return new RetryingStorage(new S3StorageProvider().open(S3RemoteStorageTest.spec(url, proxy.endpoint(), extra)));
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void serviceUnavailableForAWhileIsRetried() {
        try (RetryingStorage s = open("s3://faults/unavailable")) {
            proxy.failNext(3, 503);
            s.put("packs/a", random(1000, 1));
            assertEquals(3, proxy.injectedFaults());
            assertEquals(3, s.retries());
            assertArrayEquals(random(1000, 1), s.get("packs/a"));
        }
    }

    @Test
    void internalErrorsLongerThanTheRetriesFailThenARetryCompletes() {
        try (RetryingStorage s = open("s3://faults/internal")) {
            proxy.failNext(7, 500);
            RemoteStorageException e = assertThrows(RemoteStorageException.class,
                    () -> s.put("packs/b", random(1000, 2)));
            assertTrue(e.isTransient());
            assertEquals(ExitCode.IO_ERROR, e.exitCode());
            assertEquals("s3://faults/internal", e.arguments()[0]);
            assertTrue(String.valueOf(e.arguments()[2]).contains("HTTP 500"), e.getMessage());
            assertEquals(5, proxy.injectedFaults());
            // the remote is unchanged and the next attempt (two more faults, then through) completes
            assertTrue(s.list("packs/").isEmpty());
            s.put("packs/b", random(1000, 2));
            assertArrayEquals(random(1000, 2), s.get("packs/b"));
        }
    }

    @Test
    void connectionCutInTheMiddleOfAMultipartUploadResendsOnlyThatPart() throws Exception {
        Path file = dir.resolve("big.pack");
        byte[] content = random((int) S3RemoteStorage.MULTIPART_THRESHOLD + 5_000_000, 3);
        Files.write(file, content);
        try (RetryingStorage s = open("s3://faults/cut")) {
            proxy.cutAfter(20L << 20, 1);
            s.upload("packs/big.pack", file);
            assertEquals(1, proxy.injectedFaults());
            assertEquals(0, s.retries(), "the part was sent again, not the whole upload");
            Path back = dir.resolve("back.pack");
            assertTrue(s.download("packs/big.pack", back));
            assertEquals(sha256(content), sha256(Files.readAllBytes(back)));
            long sent = proxy.forwardedRequestBytes();
            assertTrue(sent < content.length + (PART + (1L << 20)), "sent " + sent);
        }
    }

    private static final long PART = S3RemoteStorage.PART_SIZE;

    @Test
    void connectionCutInTheMiddleOfAPutIsRetried() {
        try (RetryingStorage s = open("s3://faults/cutput")) {
            proxy.cutAfter(50_000, 2);
            s.put("packs/c", random(200_000, 4));
            assertEquals(2, proxy.injectedFaults());
            assertArrayEquals(random(200_000, 4), s.get("packs/c"));
        }
    }

    @Test
    void wrongCredentialsFailAtOnceNamingTheBucket() {
        try (RetryingStorage s = open("s3://faults/creds", S3Settings.PROFILE, S3TestCredentials.WRONG_PROFILE)) {
            RemoteStorageException e = assertThrows(RemoteStorageException.class, s::probe);
            assertFalse(e.isTransient());
            assertEquals(0, s.retries());
            assertEquals("s3://faults/creds", e.arguments()[0]);
            String detail = String.valueOf(e.arguments()[2]);
            assertTrue(detail.contains("credentials were rejected") && detail.contains("dsv-wrong"), detail);
            assertFalse(e.getMessage().contains(S3TestServer.SECRET_KEY));
        }
        try (RetryingStorage s = open("s3://faults/creds")) {
            assertTrue(s.probe().atomicCompareAndSwap());
        }
    }

    @Test
    void missingBucketFailsAtOnceNamingTheBucket() {
        try (RetryingStorage s = open("s3://no-such-bucket/lib")) {
            RemoteStorageException e = assertThrows(RemoteStorageException.class, () -> s.put("format", new byte[1]));
            assertFalse(e.isTransient());
            assertEquals(0, s.retries());
            assertTrue(String.valueOf(e.arguments()[2]).contains("bucket 'no-such-bucket' does not exist"),
                    e.getMessage());
            server.createBucket("no-such-bucket");
            s.put("format", new byte[1]);
            assertEquals(1, s.list("").size());
        }
    }

    @Test
    void proxyOptionSendsEveryRequestThroughTheProxy() {
        try (RemoteStorage s = new S3StorageProvider().open(S3RemoteStorageTest.spec("s3://faults/proxied",
                server.endpoint(), S3Settings.PROXY, proxy.endpoint()))) {
            s.put("packs/d", random(100, 5));
            assertArrayEquals(random(100, 5), s.get("packs/d"));
            assertEquals(2, proxy.absoluteFormRequests());
        }
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}

package dev.dsv.remote.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.Images;
import dev.dsv.testing.RepoSnapshot;
import dev.dsv.testing.s3.FaultProxy;
import dev.dsv.testing.s3.S3TestCredentials;
import dev.dsv.testing.s3.S3TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An S3 remote that sends an endless answer, and the credentials of an S3 remote: after push,
 * fetch, clone and failing runs with {@code --debug}, no access key, secret, session token or
 * request signature appears in any output, log or file of the repositories.
 */
@Timeout(600)
class S3HostileRemoteTest {
    private static S3TestServer server;
    private static int buckets;

    @TempDir
    Path tmp;

    private FaultProxy proxy;
    private final List<String> seen = new ArrayList<>();
    private PrintStream realOut;
    private PrintStream realErr;
    private final ByteArrayOutputStream processOutput = new ByteArrayOutputStream();

    @BeforeAll
    static void start() {
        S3TestCredentials.install();
        server = S3TestServer.start(S3TestServer.Conditions.ATOMIC);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void startProxy() throws IOException {
        proxy = new FaultProxy(server.port());
        // What the SDK and its logger print to the process's own streams is checked too.
        realOut = System.out;
        realErr = System.err;
        PrintStream capture = new PrintStream(processOutput, true, StandardCharsets.UTF_8);
        System.setOut(capture);
        System.setErr(capture);
    }

    @AfterEach
    void stopProxy() throws IOException {
        System.setOut(realOut);
        System.setErr(realErr);
        proxy.close();
    }

    private static synchronized String newBucket() {
        String bucket = "hostile-" + ++buckets;
        server.createBucket(bucket);
        return bucket;
    }

    private CliResult run(Path dir, String... args) {
        CliResult r = Dsv.run(dir, args);
        seen.add(r.out());
        seen.add(r.err());
        return r;
    }

    private CliResult ok(Path dir, String... args) {
        CliResult r = run(dir, args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r);
        return r;
    }

    /** A library with two sample images committed on work, its remote origin the bucket through the proxy. */
    private Path library(String bucket, String profile) throws IOException {
        Path in = tmp.resolve("in");
        Images.copySample(in, 2);
        ok(tmp, "init", "lib");
        Path lib = tmp.resolve("lib");
        ok(lib, "switch", "-c", "work");
        ok(lib, "add", in.toString(), "--cell-type", "mono", "--source", "production", "--labeler", "lab-01",
                "--defect", "none");
        ok(lib, "commit", "-m", "two cells");
        ok(lib, "remote", "add", "origin", "s3://" + bucket + "/lib", "--endpoint", proxy.endpoint(), "--path-style",
                "--region", "us-east-1", "--option", "profile=" + profile);
        return lib;
    }

    @Test
    void endlessRefIsRefusedAndNothingIsKept() throws IOException {
        Path lib = library(newBucket(), S3TestCredentials.PROFILE);
        ok(lib, "push");
        ok(tmp, "clone", "--endpoint", proxy.endpoint(), "--path-style", "--region", "us-east-1", "--option",
                "profile=" + S3TestCredentials.PROFILE, remoteUrl(lib), "bob");
        Path bob = tmp.resolve("bob");
        Map<String, String> before = RepoSnapshot.of(bob);
        proxy.endlessBodyFor("/refs/heads/work");
        long sentBefore = proxy.responseBytes();
        CliResult r = run(bob, "fetch");
        assertEquals(7, r.exitCode(), r.toString());
        assertTrue(r.err().contains("larger than"), r.toString());
        assertTrue(proxy.responseBytes() - sentBefore < 4L * 1024 * 1024 * 1024, "dsv stopped reading");
        assertEquals(before, RepoSnapshot.of(bob), "nothing from the remote entered the clone");
    }

    private String remoteUrl(Path lib) {
        return run(lib, "--json", "remote", "list").json().path("remotes").get(0).path("url").asText();
    }

    @Test
    void credentialsAndSignaturesNeverShow() throws IOException {
        // S3Proxy answers requests that carry a session token with 501 Not Implemented, so the
        // runs that succeed use the key and secret, and the token goes along in the failing runs.
        Path lib = library(newBucket(), S3TestCredentials.PROFILE);
        ok(lib, "--debug", "push");
        ok(lib, "--debug", "fetch");
        ok(tmp, "--debug", "clone", "--endpoint", proxy.endpoint(), "--path-style", "--region", "us-east-1",
                "--option", "profile=" + S3TestCredentials.PROFILE, remoteUrl(lib), "bob");
        Path bob = tmp.resolve("bob");
        ok(bob, "--debug", "pull");
        ok(bob, "--debug", "--json", "remote", "list");
        // Failing runs: rejected credentials, a missing bucket and a session token that the server does
        // not take (remote add probes the remote), server errors past the retries, an endless answer.
        assertFailed(run(lib, "--debug", "remote", "add", "wrong", "s3://" + newBucket() + "/lib", "--endpoint",
                proxy.endpoint(), "--path-style", "--region", "us-east-1", "--option",
                "profile=" + S3TestCredentials.WRONG_PROFILE));
        assertFailed(run(lib, "--debug", "--json", "remote", "add", "nobucket", "s3://no-such-bucket-here/lib",
                "--endpoint", proxy.endpoint(), "--path-style", "--region", "us-east-1", "--option",
                "profile=" + S3TestCredentials.TOKEN_PROFILE));
        assertFailed(run(lib, "--debug", "remote", "add", "token", remoteUrl(lib), "--endpoint", proxy.endpoint(),
                "--path-style", "--region", "us-east-1", "--option", "profile=" + S3TestCredentials.TOKEN_PROFILE));
        assertFailed(run(tmp, "--debug", "clone", "--endpoint", proxy.endpoint(), "--path-style", "--region",
                "us-east-1", "--option", "profile=" + S3TestCredentials.TOKEN_PROFILE, remoteUrl(lib), "dave"));
        proxy.failNext(1000, 500);
        assertFailed(run(bob, "--debug", "fetch"));
        assertFailed(run(tmp, "--debug", "clone", "--endpoint", proxy.endpoint(), "--path-style", "--region",
                "us-east-1", "--option", "profile=" + S3TestCredentials.TOKEN_PROFILE, remoteUrl(lib), "carol"));
        proxy.failNext(0, 500);
        proxy.endlessBodyFor("/refs/heads/work");
        assertFailed(run(bob, "--debug", "fetch"));

        seen.add(processOutput.toString(StandardCharsets.UTF_8));
        for (Path repo : List.of(lib, bob)) {
            try (Stream<Path> files = Files.walk(repo.resolve(".dsv"))) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    seen.add(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
                }
            }
        }
        List<String> secrets = List.of(S3TestServer.ACCESS_KEY, S3TestServer.SECRET_KEY, S3TestCredentials.SESSION_TOKEN,
                "not-the-secret", "X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token", "Signature=",
                "Credential=");
        for (String text : seen) {
            for (String secret : secrets) {
                assertFalse(text.contains(secret), () -> "'" + secret + "' shows in\n" + text);
            }
        }
    }

    private static void assertFailed(CliResult r) {
        assertNotEquals(0, r.exitCode(), r.toString());
        assertNotEquals(70, r.exitCode(), "an internal error: " + r);
    }
}

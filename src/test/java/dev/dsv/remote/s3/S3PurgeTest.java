package dev.dsv.remote.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.Images;
import dev.dsv.testing.s3.S3TestCredentials;
import dev.dsv.testing.s3.S3TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dsv purge} against an S3 remote (S3Proxy on 127.0.0.1): the bytes leave every object of the bucket. */
class S3PurgeTest {
    private static S3TestServer server;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        S3TestCredentials.install();
        server = S3TestServer.start(S3TestServer.Conditions.ATOMIC);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static CliResult ok(Path dir, String... args) {
        CliResult r = Dsv.run(dir, args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r);
        return r;
    }

    private static List<Path> holders(Path root, byte[] needle) throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path f : walk.filter(Files::isRegularFile).toList()) {
                byte[] hay = Files.readAllBytes(f);
                outer:
                for (int i = 0; i + needle.length <= hay.length; i++) {
                    for (int j = 0; j < needle.length; j++) {
                        if (hay[i + j] != needle[j]) {
                            continue outer;
                        }
                    }
                    out.add(f);
                    break;
                }
            }
        }
        return out;
    }

    @Test
    void purgeRewritesBucketPacks() throws IOException {
        server.createBucket("purge");
        String url = "s3://purge/lib";
        Path alice = tmp.resolve("alice");
        ok(tmp, "init", "alice");
        ok(alice, "switch", "-c", "work");
        Images.copySample(tmp.resolve("batch"), 3);
        ok(alice, "add", tmp.resolve("batch").toString(), "--prefix", "batch", "--cell-type", "mono", "--source",
                "production", "--labeler", "lab-01");
        ok(alice, "commit", "-m", "batch");
        ok(alice, "remote", "add", "origin", url, "--endpoint", server.endpoint(), "--path-style", "--region",
                "us-east-1", "--option", "profile=" + S3TestCredentials.PROFILE);
        ok(alice, "push");
        byte[] bytes = Files.readAllBytes(Images.sampleImages().get(0));
        JsonNode image = ok(alice, "--json", "ls").json().path("images").get(0);
        Path bucket = server.directory().resolve("purge");
        assertFalse(holders(bucket, bytes).isEmpty(), "the pushed pack holds the image");

        JsonNode done = ok(alice, "--json", "purge", image.path("path").asText(), "--reason", "customer request")
                .json();
        JsonNode origin = done.path("remotes").get(0);
        assertEquals(1, origin.path("blobs_removed").asInt(), done.toString());
        assertEquals(1, origin.path("records_uploaded").asInt(), done.toString());
        assertEquals(List.of(), holders(bucket, bytes));
        assertEquals(List.of(), holders(alice, bytes));

        ok(tmp, "clone", url, "bob", "--endpoint", server.endpoint(), "--path-style", "--region", "us-east-1",
                "--option", "profile=" + S3TestCredentials.PROFILE);
        Path bob = tmp.resolve("bob");
        assertTrue(Files.readString(bob.resolve(".dsv/objects/absent"))
                .contains(image.path("sha256").asText() + " purged"));
        assertTrue(ok(bob, "--json", "fsck").json().path("ok").asBoolean());
        CliResult verify = Dsv.run(bob, "--json", "verify");
        assertEquals(1, verify.exitCode(), verify.toString());
        assertTrue(verify.out().contains("absent by design: purged"), verify.toString());
    }
}

package dev.dsv.remote;

import static dev.dsv.remote.RemoteFlowTest.addBatch;
import static dev.dsv.remote.RemoteFlowTest.aliceWithBatch;
import static dev.dsv.remote.RemoteFlowTest.head;
import static dev.dsv.remote.RemoteFlowTest.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tags on a directory remote: pushed on request, brought by clone, fetch and pull, never moved. */
class RemoteTagsTest {
    @TempDir
    Path tmp;

    Path alice;
    Path remote;

    @BeforeEach
    void setUp() {
        FaultyStorage.reset();
        remote = tmp.resolve("remote");
        alice = aliceWithBatch(tmp, remote.toString());
    }

    @AfterEach
    void tearDown() {
        FaultyStorage.reset();
    }


    private static String tag(Path library, String name) {
        for (JsonNode t : ok(library, "--json", "tag").json().path("tags")) {
            if (t.path("name").asText().equals(name)) {
                return t.path("commit").asText();
            }
        }
        return null;
    }

    private long packCount() throws IOException {
        try (Stream<Path> files = Files.list(remote.resolve("packs"))) {
            return files.count();
        }
    }

    @Test
    void pushTagsAloneLeavesBranches() {
        ok(alice, "tag", "v1");

        JsonNode pushed = ok(alice, "--json", "push", "--tags").json();

        assertTrue(pushed.path("branch").isNull(), pushed.toString());
        assertEquals(1, pushed.path("tags").size(), pushed.toString());
        assertEquals("v1", pushed.path("tags").get(0).path("name").asText());
        assertEquals("created", pushed.path("tags").get(0).path("ref").asText());
        assertEquals(head(alice, "work"), pushed.path("tags").get(0).path("commit").asText());
        assertTrue(Files.isDirectory(remote.resolve("refs/tags/v1@cas")));
        assertFalse(Files.exists(remote.resolve("refs/heads/work@cas")), "no branch was pushed");

        JsonNode again = ok(alice, "--json", "push", "--tags").json();
        assertEquals("up-to-date", again.path("tags").get(0).path("ref").asText());
        assertEquals(0, again.path("objects_sent").asLong());
    }

    @Test
    void plainPushSendsNoTags() {
        ok(alice, "tag", "v1");

        JsonNode pushed = ok(alice, "--json", "push").json();

        assertEquals("created", pushed.path("ref").asText());
        assertEquals(0, pushed.path("tags").size());
        assertFalse(Files.exists(remote.resolve("refs/tags")));
    }

    @Test
    void cloneFetchAndPullBringTags() {
        ok(alice, "tag", "v1");
        ok(alice, "push", "--tags");
        ok(alice, "push");
        ok(tmp, "clone", remote.toString(), "bob");
        Path bob = tmp.resolve("bob");
        assertEquals(head(alice, "work"), tag(bob, "v1"));

        addBatch(tmp, alice, "batch-b", 2, 4);
        ok(alice, "commit", "-m", "batch b");
        ok(alice, "tag", "v2");
        JsonNode pushed = ok(alice, "--json", "push", "origin", "work", "--tag", "v2").json();
        assertEquals("updated", pushed.path("ref").asText());
        assertEquals("v2", pushed.path("tags").get(0).path("name").asText());

        JsonNode fetched = ok(bob, "--json", "fetch").json();
        assertEquals(1, fetched.path("tags_created").size(), fetched.toString());
        assertEquals("v2", fetched.path("tags_created").get(0).path("name").asText());
        assertEquals(head(alice, "work"), tag(bob, "v2"));
        assertEquals(head(alice, "v2"), head(bob, "v2"), "the tag resolves as a revision");

        ok(alice, "tag", "v3", "HEAD~1");
        ok(alice, "push", "--tag", "v3");
        ok(bob, "pull");
        assertEquals(tag(alice, "v3"), tag(bob, "v3"));
    }

    /** Lets alice push tag rc, and bob, cloned before, create his own rc at another commit; returns bob. */
    private Path cloneWithOtherTag() {
        ok(alice, "push");
        ok(tmp, "clone", remote.toString(), "bob");
        Path bob = tmp.resolve("bob");
        ok(alice, "tag", "rc");
        ok(alice, "push", "--tag", "rc");
        addBatch(tmp, bob, "batch-b", 2, 4);
        ok(bob, "commit", "-m", "batch b");
        ok(bob, "tag", "rc");
        return bob;
    }

    @Test
    void pushRejectsTagAtOtherCommit() throws IOException {
        Path bob = cloneWithOtherTag();
        long packs = packCount();

        CliResult refused = Dsv.run(bob, "push", "--tag", "rc");

        assertEquals(11, refused.exitCode(), refused.toString());
        assertTrue(refused.err().contains("rc"), refused.err());
        assertTrue(refused.err().contains(tag(alice, "rc")), "names the remote's commit: " + refused.err());
        assertTrue(refused.err().contains(tag(bob, "rc")), "names the local commit: " + refused.err());
        assertEquals(packs, packCount(), "nothing was uploaded");
        ok(tmp, "clone", remote.toString(), "check");
        assertEquals(tag(alice, "rc"), tag(tmp.resolve("check"), "rc"));
    }

    @Test
    void fetchKeepsLocalTagAtOtherCommit() {
        Path bob = cloneWithOtherTag();
        String local = tag(bob, "rc");

        CliResult fetched = ok(bob, "--json", "fetch");

        JsonNode left = fetched.json().path("tags_left_out");
        assertEquals(1, left.size(), fetched.toString());
        assertEquals("rc", left.get(0).path("name").asText());
        assertEquals(local, left.get(0).path("local").asText());
        assertEquals(tag(alice, "rc"), left.get(0).path("remote").asText());
        assertTrue(fetched.err().contains(tag(alice, "rc")), fetched.err());
        assertEquals(local, tag(bob, "rc"), "the local tag did not move");
    }

    @Test
    void fetchLeavesOutTagNamedLikeBranch() {
        ok(alice, "push");
        ok(tmp, "clone", remote.toString(), "bob");
        Path bob = tmp.resolve("bob");
        ok(bob, "switch", "-c", "feature");
        ok(alice, "tag", "feature");
        ok(alice, "tag", "plain");
        ok(alice, "push", "--tags");

        CliResult fetched = ok(bob, "--json", "fetch");

        JsonNode left = fetched.json().path("tags_left_out");
        assertEquals(1, left.size(), fetched.toString());
        assertEquals("feature", left.get(0).path("name").asText());
        assertTrue(left.get(0).path("local").isNull());
        assertTrue(fetched.err().contains("feature"), fetched.err());
        assertEquals(null, tag(bob, "feature"));
        assertEquals(tag(alice, "plain"), tag(bob, "plain"));
    }

    @Test
    void tagRaceKeepsOtherPushTag() {
        ok(alice, "remote", "remove", "origin");
        ok(alice, "remote", "add", "origin", "faulty:" + remote);
        ok(alice, "push");
        ok(alice, "tag", "rc");
        String other = "ab".repeat(32);
        FaultyStorage.beforeNextSwap = () -> new DirectoryStorage(remote, remote.toString())
                .compareAndSwap("refs/tags/rc", null, (other + "\n").getBytes(StandardCharsets.US_ASCII));

        CliResult refused = Dsv.run(alice, "push", "--tag", "rc");

        assertEquals(11, refused.exitCode(), refused.toString());
        assertTrue(refused.err().contains(other), refused.err());
        RemoteStorage.Versioned there = new DirectoryStorage(remote, remote.toString()).getVersioned("refs/tags/rc");
        assertEquals(other, new String(there.bytes(), StandardCharsets.US_ASCII).trim());
    }

    @Test
    void pushRejectsTagNameOutsideKeyCharacters() {
        ok(alice, "tag", "größe");

        CliResult refused = Dsv.run(alice, "push", "--tag", "größe");

        assertEquals(3, refused.exitCode(), refused.toString());
        assertTrue(refused.err().contains("größe"), refused.err());
        assertFalse(Files.exists(remote.resolve("refs")), "nothing was written");
    }

    @Test
    void pushOfUnknownTagFails() {
        CliResult refused = Dsv.run(alice, "push", "--tag", "nope");

        assertEquals(5, refused.exitCode(), refused.toString());
        assertTrue(refused.err().contains("nope"), refused.err());
    }
}

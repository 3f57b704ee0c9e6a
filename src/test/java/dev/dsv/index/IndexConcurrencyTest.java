package dev.dsv.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.dsv.model.ObjectId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two connections to one index file, as two dsv processes have: a reader that catches up on a
 * commit indexes it after another process wrote to the index since the reader's last query.
 */
class IndexConcurrencyTest {
    @TempDir
    Path tmp;

    private static ObjectId id(String text) throws Exception {
        return ObjectId.fromBytes(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void writeAfterOtherConnectionWrote() throws Exception {
        Path file = tmp.resolve("index.sqlite");
        try (Index first = Index.open(file); Index second = Index.open(file)) {
            // The first connection reads, as catch-up does before it indexes a missing commit.
            assertFalse(first.hasCommit(id("commit")));
            second.indexMeta(id("one"), "promotion", null, "lab-01", "2026-06-01T08:00:00Z");

            first.indexMeta(id("two"), "promotion", null, "lab-02", "2026-06-01T08:00:01Z");
            first.putStatCache(Map.of("lib/a.png", new Index.StatRow(1, 2, 3, "key", id("blob"))));
            second.putAddMemo("input", id("tree"));
            first.putAddMemo("other input", id("tree"));

            assertEquals(2, first.countMeta("promotion"));
            assertEquals(2, second.countMeta("promotion"));
        }
    }
}

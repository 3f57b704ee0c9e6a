package dev.dsv.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.Images;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A vocabulary change written in several tree batches gives the same tree as one batch. */
class VocabularyBatchTest {
    @TempDir
    Path tmp;

    private static CliResult ok(Path dir, String... args) {
        CliResult r = Dsv.run(dir, args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r);
        return r;
    }

    private Path library(String name) {
        Path library = tmp.resolve(name);
        ok(tmp, "init", name);
        ok(library, "switch", "-c", "work");
        ok(library, "add", "../batch", "--cell-type", "poly", "--source", "production", "--labeler", "lab-01",
                "--defect", "crack", "--labeled-at", "2026-06-01T08:30:00+08:00");
        ok(library, "commit", "-m", "batch", "--committer", "bench");
        return library;
    }

    /** Returns each image's path, blob and defects, leaving out label ids (they name a timed record). */
    private static java.util.List<String> images(Path library) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (JsonNode i : ok(library, "--json", "ls").json().path("images")) {
            out.add(i.path("path").asText() + " " + i.path("sha256").asText() + " " + i.path("defects"));
        }
        return out;
    }

    @Test
    void smallBatchesMatchOneBatch() {
        Images.copySample(tmp.resolve("batch"), 11);
        Path one = library("one");
        Path many = library("many");
        try (Session session = Session.open(one)) {
            assertEquals(11, new VocabularyService(session, Progress.NONE).rename("crack", "fissure", "m").images());
        }
        try (Session session = Session.open(many)) {
            assertEquals(11, new VocabularyService(session, Progress.NONE, 3).rename("crack", "fissure", "m").images());
        }
        assertEquals(11, images(many).size());
        assertEquals(images(one), images(many));
        assertEquals(11, ok(many, "--json", "ls", "--defect", "fissure").json().path("count").asInt());
        assertEquals(0, Dsv.run(many, "fsck").exitCode());
    }
}

package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.Images;
import dev.dsv.testing.RepoSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Branches, tags and merges per image, with conflicts that write nothing until resolved. */
class BranchMergeTest {
    @TempDir
    Path tmp;

    Path library;

    @BeforeEach
    void setUp() {
        library = tmp.resolve("lib");
        assertEquals(0, Dsv.run(tmp, "init", "lib").exitCode());
        assertEquals(0, Dsv.run(tmp.resolve("lib"), "switch", "-c", "work").exitCode());
        Images.copySample(tmp.resolve("batch"), 4);
        ok("add", "../batch", "--cell-type", "mono", "--source", "production", "--labeler", "lab-01", "--split", "train");
        ok("commit", "-m", "base");
        ok("branch", "fixes");
    }

    private CliResult ok(String... args) {
        CliResult r = Dsv.run(library, args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r);
        return r;
    }

    private String defectAt(String rev, String path) {
        JsonNode d = ok("--json", "show", rev + ":" + path).json().path("label").path("defects");
        return d.isEmpty() ? "none" : d.get(0).path("type").asText();
    }

    @Test
    void fastForwardAndTags() {
        ok("switch", "fixes");
        ok("label", "set", "batch/cell0001.png", "--defect", "crack", "--labeler", "qa");
        ok("commit", "-m", "fix");
        ok("tag", "fix-1");
        ok("switch", "work");
        assertEquals("fast-forward", ok("--json", "merge", "fixes").json().path("result").asText());
        assertEquals("crack", defectAt("work", "batch/cell0001.png"));
        assertEquals("crack", defectAt("fix-1", "batch/cell0001.png"));
        assertEquals("up-to-date", ok("--json", "merge", "fix-1").json().path("result").asText());
        CliResult again = Dsv.run(library, "tag", "fix-1");
        assertEquals(3, again.exitCode(), again.toString());
        assertTrue(again.err().contains("tags never move"), again.toString());
    }

    @Test
    void differentImagesMergeCleanly() {
        ok("switch", "fixes");
        ok("label", "set", "batch/cell0001.png", "--defect", "crack", "--labeler", "qa");
        ok("commit", "-m", "fix 1");
        ok("switch", "work");
        ok("label", "set", "batch/cell0002.png", "--defect", "dark-spot", "--labeler", "qa");
        ok("set", "batch/cell0001.png", "--split", "test");
        ok("commit", "-m", "main work");
        JsonNode merged = ok("--json", "merge", "fixes").json();
        assertEquals("merge", merged.path("result").asText());
        assertEquals("crack", defectAt("HEAD", "batch/cell0001.png"));
        assertEquals("dark-spot", defectAt("HEAD", "batch/cell0002.png"));
        assertEquals("test", ok("--json", "show", "HEAD:batch/cell0001.png").json().path("image").path("split").asText(),
                "labels from one side, facts from the other");
        assertEquals(2, ok("--json", "show", "HEAD").json().path("commit").path("parents").size());
        ok("branch", "-d", "fixes");
    }

    @Test
    void sameImageRelabeledTwiceConflicts() throws Exception {
        ok("switch", "fixes");
        ok("label", "set", "batch/cell0003.png", "--defect", "crack", "--labeler", "qa-a");
        ok("rm", "batch/cell0004.png");
        ok("commit", "-m", "fixes");
        ok("switch", "work");
        ok("label", "set", "batch/cell0003.png", "--defect", "microcrack", "--labeler", "qa-b");
        ok("label", "set", "batch/cell0004.png", "--defect", "crack", "--labeler", "qa-b");
        ok("commit", "-m", "main relabels");

        Map<String, String> before = RepoSnapshot.of(library);
        CliResult conflict = Dsv.run(library, "merge", "fixes");
        assertEquals(11, conflict.exitCode(), conflict.toString());
        assertTrue(conflict.err().contains("batch/cell0003.png"), conflict.toString());
        assertTrue(conflict.err().contains("batch/cell0004.png"), conflict.toString());
        assertTrue(conflict.err().contains("removed"), "a deletion against a relabel is named:\n" + conflict);
        assertEquals(before, RepoSnapshot.of(library), "a conflicted merge writes nothing");

        Path resolution = tmp.resolve("resolve.csv");
        Files.writeString(resolution, "path,side\nbatch/cell0003.png,theirs\n");
        CliResult partial = Dsv.run(library, "merge", "fixes", "--resolve", resolution.toString());
        assertEquals(11, partial.exitCode(), partial.toString());
        assertFalse(partial.err().contains("batch/cell0003.png"), partial.toString());
        assertTrue(partial.err().contains("batch/cell0004.png"), partial.toString());

        Files.writeString(resolution, "path,side\nbatch/cell0003.png,theirs\nbatch/cell0004.png,ours\n");
        JsonNode merged = ok("--json", "merge", "fixes", "--resolve", resolution.toString()).json();
        assertEquals(2, merged.path("resolved_conflicts").asInt());
        assertEquals("crack", defectAt("HEAD", "batch/cell0003.png"));
        assertEquals("crack", defectAt("HEAD", "batch/cell0004.png"), "ours kept the relabeled image");
    }

    @Test
    void branchGuards() {
        CliResult current = Dsv.run(library, "branch", "-d", "work");
        assertEquals(3, current.exitCode());
        assertTrue(current.err().contains("current branch"), current.toString());
        ok("switch", "fixes");
        ok("label", "set", "batch/cell0001.png", "--defect", "crack", "--labeler", "qa");
        CliResult staged = Dsv.run(library, "switch", "work");
        assertEquals(3, staged.exitCode());
        assertTrue(staged.err().contains("--discard-staged"), staged.toString());
        ok("commit", "-m", "unmerged work");
        ok("switch", "work");
        CliResult unmerged = Dsv.run(library, "branch", "-d", "fixes");
        assertEquals(3, unmerged.exitCode());
        assertTrue(unmerged.err().contains("-D"), unmerged.toString());
        ok("branch", "-D", "fixes");
        assertEquals(5, Dsv.run(library, "switch", "fixes").exitCode());
        assertEquals(3, Dsv.run(library, "branch", "bad..name").exitCode());
    }
}

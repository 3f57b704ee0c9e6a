package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.Images;
import dev.dsv.testing.RepoSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** label import/set, set, rm, mv and diff: results, and rejected input that changes nothing. */
class EditCommandsTest {
    @TempDir
    Path tmp;

    Path library;

    @BeforeEach
    void setUp() {
        library = tmp.resolve("lib");
        assertEquals(0, Dsv.run(tmp, "init", "lib").exitCode());
        assertEquals(0, Dsv.run(tmp.resolve("lib"), "switch", "-c", "work").exitCode());
        Images.copySample(tmp.resolve("batch"), 6);
        CliResult add = Dsv.run(library, "add", "../batch", "--cell-type", "poly", "--source", "production",
                "--labeler", "lab-01", "--split", "train");
        assertEquals(0, add.exitCode(), add.toString());
        assertEquals(0, Dsv.run(library, "commit", "-m", "batch").exitCode());
    }

    private CliResult ok(String... args) {
        CliResult r = Dsv.run(library, args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r);
        return r;
    }

    private void rejected(int exit, String text, String... args) {
        Map<String, String> before = RepoSnapshot.of(library);
        CliResult r = Dsv.run(library, args);
        assertEquals(exit, r.exitCode(), String.join(" ", args) + "\n" + r);
        assertTrue(r.err().contains(text), "message should contain '" + text + "':\n" + r);
        assertEquals(before, RepoSnapshot.of(library), "repository changed by: " + String.join(" ", args));
    }

    @Test
    void labelImportBySha256() throws IOException {
        String sha = ok("--json", "show", "HEAD:batch/cell0003.png").json().path("image").path("sha256").asText();
        Path csv = Images.writeLabels(tmp.resolve("by-blob.csv"), "sha256,defects,confidence,labeler", sha + ",crack,0.8,qa-2");
        assertEquals(1, ok("--json", "label", "import", csv.toString()).json().path("relabeled").asInt());
        JsonNode label = ok("--json", "show", ":batch/cell0003.png").json();
        assertEquals("poly", label.path("image").path("cell_type").asText());
        ok("commit", "-m", "relabel");
        label = ok("--json", "show", "HEAD:batch/cell0003.png").json().path("label");
        assertEquals("crack", label.path("defects").get(0).path("type").asText());
        assertEquals("0.8", label.path("confidence").asText());
    }

    @Test
    void labelImportRejectsUnknownImage() {
        Path csv = Images.writeLabels(tmp.resolve("bad.csv"), "dataset_path,defects,labeler",
                "batch/cell0001.png,crack,qa", "batch/cell9999.png,crack,qa");
        rejected(3, "batch/cell9999.png", "label", "import", csv.toString());
    }

    @Test
    void labelImportRejectsFactColumns() {
        Path csv = Images.writeLabels(tmp.resolve("facts.csv"), "dataset_path,defects,labeler,split",
                "batch/cell0001.png,crack,qa,test");
        rejected(3, "dsv set", "label", "import", csv.toString());
    }

    @Test
    void labelImportRejectsUnknownDefect() {
        Path csv = Images.writeLabels(tmp.resolve("vocab.csv"), "dataset_path,defects,labeler", "batch/cell0001.png,scratchy,qa");
        rejected(3, "scratchy", "label", "import", csv.toString());
    }

    @Test
    void labelSetOnFolder() {
        assertEquals(6, ok("--json", "label", "set", "batch", "--defect", "dark-spot", "--labeler", "qa").json()
                .path("relabeled").asInt());
        assertEquals(0, ok("--json", "label", "set", "batch", "--defect", "dark-spot", "--labeler", "qa").json()
                .path("relabeled").asInt(), "an equal judgement changes nothing");
    }

    @Test
    void setChangesFactsNotLabel() {
        String label = ok("--json", "show", "HEAD:batch/cell0002.png").json().path("label").path("id").asText();
        ok("set", "batch/cell0002.png", "--split", "val", "--attr", "module=M-9", "--attr", "line=3");
        ok("commit", "-m", "facts");
        JsonNode after = ok("--json", "show", "HEAD:batch/cell0002.png").json();
        assertEquals(label, after.path("label").path("id").asText());
        assertEquals("val", after.path("image").path("split").asText());
        assertEquals("M-9", after.path("image").path("attributes").path("module").asText());
        ok("set", "batch/cell0002.png", "--unset-attr", "module", "--split", "none");
        ok("commit", "-m", "unset");
        after = ok("--json", "show", "HEAD:batch/cell0002.png").json();
        assertTrue(after.path("image").path("split").isNull());
        assertTrue(after.path("image").path("attributes").path("module").isMissingNode());
    }

    @Test
    void editRejections() {
        rejected(3, "batch/nope.png", "rm", "batch/nope.png");
        rejected(3, "not in the stage", "set", "elsewhere", "--split", "test");
        rejected(2, "nothing to set", "set", "batch");
        rejected(3, "perovskite", "rm", "--where", "cell-type=perovskite");
        rejected(2, "--where", "rm", "--where", "colour=red");
        rejected(2, "either dataset paths or --where", "rm");
        rejected(3, "exists already", "mv", "batch/cell0001.png", "batch/cell0002.png");
        rejected(3, "into itself", "mv", "batch", "batch/inner");
        rejected(5, "unknown revision", "diff", "nosuch", "HEAD");
    }

    @Test
    void rmWhereAndMvFolder() {
        ok("label", "set", "batch/cell0001.png", "batch/cell0002.png", "--defect", "crack", "--labeler", "qa");
        assertEquals(2, ok("--json", "rm", "--where", "cell-type=poly,defect=crack").json().path("removed").asInt());
        assertEquals(4, ok("--json", "mv", "batch", "line-2/batch").json().path("moved").asInt());
        ok("commit", "-m", "reorganise");
        JsonNode ls = ok("--json", "ls").json();
        assertEquals(4, ls.path("count").asInt());
        assertTrue(ls.path("images").get(0).path("path").asText().startsWith("line-2/batch/"));
        JsonNode diff = ok("--json", "diff", "HEAD~1", "--summary").json();
        assertEquals(6, diff.path("counts").path("removed").asInt());
        assertEquals(4, diff.path("counts").path("added").asInt());
        JsonNode history = ok("--json", "log", "--path", "batch/cell0003.png").json().path("versions");
        assertEquals(2, history.size());
        assertTrue(history.get(0).path("image").isNull(), "newest version is the removal");
    }
}

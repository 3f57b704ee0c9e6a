package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.model.LabelRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.model.ObjectType;
import dev.dsv.service.Session;
import dev.dsv.store.ObjectStore;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.Images;
import dev.dsv.testing.RepoSnapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Repository formats 2 and 3: format-1 repositories, dsv migrate, newer formats, label versions 1 and 2. */
class FormatVersionTest {
    @TempDir
    Path tmp;

    private static CliResult ok(Path dir, String... args) {
        CliResult r = Dsv.run(dir, args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r);
        return r;
    }

    private static CliResult rejected(Path library, int exit, String text, String... args) {
        Map<String, String> before = RepoSnapshot.of(library);
        CliResult r = Dsv.run(library, args);
        assertEquals(exit, r.exitCode(), String.join(" ", args) + "\n" + r);
        assertTrue(r.err().contains(text), "message should contain '" + text + "':\n" + r);
        assertEquals(before, RepoSnapshot.of(library), "repository changed by: " + String.join(" ", args));
        return r;
    }

    private Path formatOneLibrary() throws IOException {
        Path library = tmp.resolve("lib");
        ok(tmp, "init", "lib");
        Files.writeString(library.resolve(".dsv/format"), "dsv-repository 1\n");
        ok(library, "switch", "-c", "work");
        Images.copySample(tmp.resolve("batch"), 4);
        ok(library, "add", "../batch", "--cell-type", "mono", "--source", "production", "--labeler", "lab-01",
                "--defect", "crack");
        ok(library, "commit", "-m", "first");
        Images.copySample(tmp.resolve("more"), 6);
        Files.delete(tmp.resolve("more/cell0001.png"));
        ok(library, "add", "../more", "--cell-type", "poly", "--source", "production", "--labeler", "lab-02");
        ok(library, "commit", "-m", "second");
        ok(library, "tag", "v1");
        return library;
    }

    private static List<String> commitIds(Path library) {
        List<String> ids = new ArrayList<>();
        ok(library, "--json", "log").json().path("commits").forEach(c -> ids.add(c.path("id").asText()));
        return ids;
    }

    private static List<String> labelIds(Path library, String revision) {
        List<String> ids = new ArrayList<>();
        ok(library, "--json", "ls", revision).json().path("images")
                .forEach(i -> ids.add(i.path("path").asText() + " " + i.path("label").asText()));
        return ids;
    }

    @Test
    void initWritesFormatThree() throws IOException {
        ok(tmp, "init", "lib");
        assertEquals("dsv-repository 3", Files.readString(tmp.resolve("lib/.dsv/format")).strip());
        assertEquals(3, ok(tmp, "--json", "init", "other").json().path("format_version").asInt());
    }

    @Test
    void formatOneRejectsVersionTwoLabels() throws IOException {
        Path library = formatOneLibrary();
        Path doc = Files.writeString(tmp.resolve("guide.md"), "# Cracks\nA crack is ...\n");
        ok(library, "guideline", "add", doc.toString(), "--version", "g1");
        rejected(library, 3, "dsv migrate", "vocab", "rename", "crack", "fissure");
        rejected(library, 3, "dsv migrate", "label", "set", "batch/cell0001.png", "--defect", "crack",
                "--labeler", "lab-03", "--guideline", "g1");
        Images.copySample(tmp.resolve("late"), 1);
        rejected(library, 3, "dsv migrate", "add", "../late", "--prefix", "late", "--cell-type", "mono",
                "--source", "production", "--labeler", "lab-01", "--guideline", "g1");
        assertEquals("dsv-repository 1", Files.readString(library.resolve(".dsv/format")).strip());
    }

    @Test
    void migrateKeepsEveryId() throws IOException {
        Path library = formatOneLibrary();
        List<String> commits = commitIds(library);
        List<String> labels = labelIds(library, "HEAD");
        List<String> firstLabels = labelIds(library, "HEAD~1");
        Map<String, String> before = RepoSnapshot.of(library);

        JsonNode r = ok(library, "--json", "migrate").json();
        assertEquals(1, r.path("from").asInt());
        assertEquals(3, r.path("to").asInt());
        assertEquals(2, r.path("commits_checked").asInt());

        assertEquals("dsv-repository 3", Files.readString(library.resolve(".dsv/format")).strip());
        Map<String, String> after = RepoSnapshot.of(library);
        before.remove("format");
        after.remove("format");
        assertEquals(before, after, "only the format file may change");
        assertEquals(commits, commitIds(library));
        assertEquals(labels, labelIds(library, "HEAD"));
        assertEquals(firstLabels, labelIds(library, "v1~1"));
        ok(library, "fsck");
        ok(library, "reindex");
        assertEquals(labels, labelIds(library, "HEAD"));

        assertTrue(ok(library, "migrate").out().contains("already format 3"));
        ok(library, "vocab", "rename", "crack", "fissure");
        assertEquals(commits, commitIds(library).subList(1, 3));
    }

    @Test
    void migrateRejectsBrokenRef() throws IOException {
        Path library = formatOneLibrary();
        Files.writeString(library.resolve(".dsv/refs/heads/broken"), "0".repeat(64) + "\n");
        rejected(library, 7, "refs/heads/broken", "migrate");
        assertEquals("dsv-repository 1", Files.readString(library.resolve(".dsv/format")).strip());
    }

    @Test
    void newerFormatIsExitEight() throws IOException {
        ok(tmp, "init", "lib");
        Path library = tmp.resolve("lib");
        Files.writeString(library.resolve(".dsv/format"), "dsv-repository 4\n");
        rejected(library, 8, "format version 4", "migrate");
        rejected(library, 8, "format version 4", "ls");
        rejected(library, 8, "format version 4", "guideline", "list");
    }

    @Test
    void labelVersionsOneAndTwoRead() throws IOException {
        ok(tmp, "init", "lib");
        Path library = tmp.resolve("lib");
        ObjectId image = ObjectId.parse("ab".repeat(32));
        ObjectId change = ObjectId.parse("cd".repeat(32));
        String time = "2026-06-01T08:30:00+08:00";
        String v1 = "{\"image\":\"" + image.hex() + "\",\"labeled_at\":\"" + time
                + "\",\"labeler\":\"lab-01\",\"type\":\"label\",\"v\":1}";
        String v2 = "{\"change\":\"" + change.hex() + "\",\"guideline\":\"g1\",\"image\":\"" + image.hex()
                + "\",\"labeled_at\":\"" + time + "\",\"labeler\":\"lab-01\",\"type\":\"label\",\"v\":2}";
        String v1WithGuideline = "{\"guideline\":\"g1\",\"image\":\"" + image.hex() + "\",\"labeled_at\":\"" + time
                + "\",\"labeler\":\"lab-01\",\"type\":\"label\",\"v\":1}";
        String v3 = "{\"image\":\"" + image.hex() + "\",\"labeled_at\":\"" + time
                + "\",\"labeler\":\"lab-01\",\"type\":\"label\",\"v\":3}";
        try (Session session = Session.open(library)) {
            ObjectId[] ids = new ObjectId[4];
            try (ObjectStore.Inserter ins = session.repository().store().newInserter()) {
                String[] texts = {v1, v2, v1WithGuideline, v3};
                for (int i = 0; i < texts.length; i++) {
                    ids[i] = ins.insert(ObjectType.LABEL, texts[i].getBytes(StandardCharsets.UTF_8));
                }
                ins.flush();
            }
            LabelRecord one = session.readLabel(ids[0]);
            assertNull(one.guideline());
            assertNull(one.change());
            assertEquals(v1, new String(one.encode(), StandardCharsets.UTF_8));

            LabelRecord two = session.readLabel(ids[1]);
            assertEquals("g1", two.guideline());
            assertEquals(change, two.change());
            assertEquals(v2, new String(two.encode(), StandardCharsets.UTF_8));

            DsvException notCanonical = assertThrows(DsvException.class, () -> session.readLabel(ids[2]));
            assertEquals(ExitCode.INTEGRITY, notCanonical.exitCode());
            assertEquals("error.object.notCanonical", notCanonical.messageKey());

            DsvException newer = assertThrows(DsvException.class, () -> session.readLabel(ids[3]));
            assertEquals(ExitCode.NEWER_FORMAT, newer.exitCode());
        }
    }
}

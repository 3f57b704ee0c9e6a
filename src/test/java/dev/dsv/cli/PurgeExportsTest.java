package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.FileTrees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dsv purge} reaches the export folders the repository wrote: in every format it deletes
 * the purged images and their annotation files and rewrites the rest, so that
 * {@code dsv export --verify} passes; a folder that is gone or was changed by hand is reported
 * and left as it is.
 */
class PurgeExportsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Box and polygon, two defect types, split train. */
    private static final String PURGED_TRAIN = "batch/cell0002.png";
    /** One box, split val. */
    private static final String PURGED_VAL = "batch/cell0004.png";

    @TempDir
    Path tmp;

    Path library;
    byte[] trainBytes;
    byte[] valBytes;

    @BeforeEach
    void setUp() throws IOException {
        library = tmp.resolve("lib");
        assertEquals(0, Dsv.run(tmp, "init", "lib").exitCode());
        assertEquals(0, Dsv.run(library, "switch", "-c", "work").exitCode());
        TrainingExportTest.addSample(library, tmp.resolve("in"));
        ok("commit", "-m", "regions");
        trainBytes = Files.readAllBytes(tmp.resolve("in").resolve(PURGED_TRAIN));
        valBytes = Files.readAllBytes(tmp.resolve("in").resolve(PURGED_VAL));
    }

    private CliResult ok(String... args) {
        CliResult r = Dsv.run(library, args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r);
        return r;
    }

    private Path export(String name, String... options) {
        Path out = tmp.resolve("exports").resolve(name);
        List<String> args = new ArrayList<>(List.of("export", "--out", out.toString()));
        args.addAll(List.of(options));
        ok(args.toArray(String[]::new));
        return out;
    }

    private static List<String> files(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .sorted().toList();
        }
    }

    /** Returns the files under {@code root} that contain {@code needle}. */
    private static List<String> holders(Path root, byte[] needle) throws IOException {
        List<String> out = new ArrayList<>();
        for (String file : files(root)) {
            if (contains(Files.readAllBytes(root.resolve(file)), needle)) {
                out.add(file);
            }
        }
        return out;
    }

    /** Returns whether {@code needle} occurs in {@code hay}: ISO-8859-1 maps each byte to one char. */
    private static boolean contains(byte[] hay, byte[] needle) {
        return new String(hay, StandardCharsets.ISO_8859_1).contains(new String(needle, StandardCharsets.ISO_8859_1));
    }

    private static Map<String, JsonNode> byFolder(JsonNode purge) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (JsonNode folder : purge.path("exports")) {
            out.put(Path.of(folder.path("folder").asText()).getFileName().toString(), folder);
        }
        return out;
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void purgeRewritesEveryFormat() throws IOException {
        Map<String, Path> exports = new LinkedHashMap<>();
        exports.put("dir-csv", export("dir-csv"));
        exports.put("dir-jsonl", export("dir-jsonl", "--manifest", "jsonl"));
        exports.put("dir-hardlink", export("dir-hardlink", "--link", "hardlink"));
        exports.put("coco", export("coco", "--format", "coco"));
        exports.put("yolo", export("yolo", "--format", "yolo"));
        exports.put("voc", export("voc", "--format", "voc"));
        exports.put("cvat", export("cvat", "--format", "cvat"));
        exports.put("labelstudio", export("labelstudio", "--format", "labelstudio"));
        exports.put("supervisely", export("supervisely", "--format", "supervisely"));
        exports.put("classes-val", export("classes-val", "--layout", "classes", "--split", "val"));
        Map<String, List<String>> before = new LinkedHashMap<>();
        for (Map.Entry<String, Path> e : exports.entrySet()) {
            before.put(e.getKey(), files(e.getValue()));
            assertFalse(holders(e.getValue(), trainBytes).isEmpty() && holders(e.getValue(), valBytes).isEmpty(),
                    e.getKey() + " holds a purged image before the purge");
        }

        JsonNode purge = ok("--json", "purge", PURGED_TRAIN, PURGED_VAL, "--reason", "contract ended").json();
        Map<String, JsonNode> reported = byFolder(purge);
        assertEquals(exports.keySet(), reported.keySet(), purge.toString());

        for (Map.Entry<String, Path> e : exports.entrySet()) {
            String name = e.getKey();
            Path folder = e.getValue();
            JsonNode folderReport = reported.get(name);
            assertEquals("rewritten", folderReport.path("status").asText(), folderReport.toString());
            assertTrue(folderReport.path("problem").isNull(), folderReport.toString());
            List<String> expectedRemoved = name.equals("classes-val") ? List.of(PURGED_VAL)
                    : List.of(PURGED_TRAIN, PURGED_VAL);
            assertEquals(expectedRemoved, texts(folderReport.path("images_removed")), name);

            assertEquals(List.of(), holders(folder, trainBytes), name + " still holds the train image");
            assertEquals(List.of(), holders(folder, valBytes), name + " still holds the val image");
            CliResult verify = Dsv.run(library, "--json", "export", "--verify", folder.toString());
            assertEquals(0, verify.exitCode(), name + ": " + verify);

            List<String> deleted = texts(folderReport.path("files_deleted"));
            List<String> after = files(folder);
            for (String file : deleted) {
                assertTrue(before.get(name).contains(file), name + " reported a file it did not have: " + file);
                assertFalse(after.contains(file), name + " still has " + file);
            }
            for (String file : before.get(name)) {
                if (!after.contains(file)) {
                    assertTrue(deleted.contains(file), name + " lost " + file + " without reporting it");
                }
            }
            String manifest = Files.readString(folder.resolve(name.equals("dir-jsonl") ? "manifest.jsonl"
                    : "manifest.csv"), StandardCharsets.UTF_8);
            assertFalse(manifest.contains(PURGED_TRAIN), name + " manifest");
            assertFalse(manifest.contains(PURGED_VAL), name + " manifest");
            JsonNode meta = JSON.readTree(folder.resolve("dsv-export.json").toFile());
            assertEquals(expectedRemoved, texts(meta.path("purged_paths")), name);
            assertEquals(name.equals("classes-val") ? 1 : 4, meta.path("images").asInt(), name);
            assertEquals("complete", meta.path("state").asText(), name);
        }

        assertEquals(4, JSON.readTree(exports.get("coco").resolve("annotations.json").toFile())
                .path("images").size());
        assertTrue(texts(reported.get("yolo").path("files_deleted")).contains("labels/train/batch/cell0002.txt"),
                reported.get("yolo").toString());
        assertTrue(texts(reported.get("voc").path("files_deleted")).contains("batch/cell0002.xml"),
                reported.get("voc").toString());
        assertTrue(texts(reported.get("supervisely").path("files_deleted")).contains("batch/ann/cell0002.png.json"),
                reported.get("supervisely").toString());
        String cvat = Files.readString(exports.get("cvat").resolve("annotations.xml"), StandardCharsets.UTF_8);
        assertFalse(cvat.contains("cell0002"), cvat);
        String tasks = Files.readString(exports.get("labelstudio").resolve("tasks.json"), StandardCharsets.UTF_8);
        assertFalse(tasks.contains("cell0002"), tasks);

        JsonNode again = ok("--json", "purge", PURGED_TRAIN, "--reason", "contract ended").json();
        for (JsonNode folder : again.path("exports")) {
            assertEquals("unaffected", folder.path("status").asText(), folder.toString());
        }
    }

    @Test
    void goneChangedAndUnaffectedReported() throws IOException {
        Path gone = export("gone");
        Path changed = export("changed");
        Path unaffected = export("unaffected", "--split", "test");
        Path rewritten = export("rewritten", "--format", "yolo");
        deleteTree(gone);
        Files.writeString(changed.resolve("notes.txt"), "added by hand\n");
        List<String> changedBefore = files(changed);
        List<String> unaffectedBefore = files(unaffected);

        CliResult text = ok("purge", PURGED_TRAIN, "--reason", "contract ended");
        assertTrue(text.out().contains("export " + gone + ": the folder no longer exists"), text.out());
        assertTrue(text.out().contains("export " + changed + " left unchanged"), text.out());
        assertTrue(text.out().contains("1 extra files"), text.out());
        assertTrue(text.out().contains("export " + unaffected + ": holds no purged image"), text.out());
        assertTrue(text.out().contains("export " + rewritten + ": removed 1 images (" + PURGED_TRAIN + ")"),
                text.out());

        assertFalse(Files.exists(gone));
        assertEquals(changedBefore, files(changed), "a changed folder is left as it is");
        assertEquals(unaffectedBefore, files(unaffected));
        assertEquals(0, Dsv.run(library, "export", "--verify", unaffected.toString()).exitCode());
        assertEquals(0, Dsv.run(library, "export", "--verify", rewritten.toString()).exitCode());
        assertEquals(List.of(), holders(rewritten, trainBytes));

        JsonNode json = ok("--json", "purge", PURGED_TRAIN, "--reason", "contract ended").json();
        Map<String, JsonNode> reported = byFolder(json);
        assertEquals("gone", reported.get("gone").path("status").asText());
        assertEquals("changed", reported.get("changed").path("status").asText());
        assertTrue(reported.get("changed").path("problem").asText().contains("1 extra files"),
                reported.get("changed").toString());
        assertEquals("unaffected", reported.get("unaffected").path("status").asText());
        assertEquals("unaffected", reported.get("rewritten").path("status").asText());
    }

    @Test
    void syncAfterPurgeKeepsFolderValid() throws IOException {
        Path folder = export("synced", "--format", "coco");
        ok("purge", PURGED_TRAIN, "--reason", "contract ended");
        assertEquals(0, Dsv.run(library, "export", "--verify", folder.toString()).exitCode());

        // A later sync to a selection without the purged image replaces the record of it.
        ok("export", "--format", "coco", "--split", "test", "--sync", "--out", folder.toString());
        assertEquals(0, Dsv.run(library, "export", "--verify", folder.toString()).exitCode());
        JsonNode meta = JSON.readTree(folder.resolve("dsv-export.json").toFile());
        assertFalse(meta.has("purged_paths"), meta.toString());
        assertEquals(2, meta.path("images").asInt());
    }

    @Test
    void exportFolderListStaysLocal() throws IOException {
        Path first = export("first");
        export("first", "--sync");
        Path second = export("second", "--split", "val");
        JsonNode list = JSON.readTree(library.resolve(".dsv").resolve("export-folders.json").toFile());
        assertEquals(List.of(first.toString(), second.toString()), texts(list.path("folders")));

        Path remote = tmp.resolve("remote");
        ok("remote", "add", "origin", remote.toString());
        ok("push", "origin", "work");
        assertEquals(List.of(), holders(remote, first.toString().getBytes(StandardCharsets.UTF_8)),
                "a remote file names an export folder");
    }

    @Test
    void invalidFolderListDoesNotStopPurge() throws IOException {
        export("listed");
        Files.writeString(library.resolve(".dsv").resolve("export-folders.json"), "{\"folders\": 7}");

        JsonNode purge = ok("--json", "purge", PURGED_TRAIN, "--reason", "contract ended").json();
        assertEquals(1, purge.path("exports").size(), purge.toString());
        JsonNode entry = purge.path("exports").get(0);
        assertEquals("invalid_list", entry.path("status").asText());
        assertTrue(entry.path("folder").asText().endsWith("export-folders.json"), entry.toString());
        assertTrue(entry.path("problem").asText().contains("not a valid list of export folders"), entry.toString());
        assertEquals(1, purge.path("purged").size(), purge.toString());

        CliResult text = ok("purge", PURGED_TRAIN, "--reason", "contract ended");
        assertTrue(text.out().contains("export folders: none was reached"), text.out());
        assertTrue(text.out().contains("Fix the JSON by hand, or delete the file"), text.out());
        assertFalse(text.out().contains("--verify"), text.out());
    }

    @Test
    void invalidFolderListLeavesNoExport() throws IOException {
        Path list = library.resolve(".dsv").resolve("export-folders.json");
        Files.writeString(list, "{not json");
        Path out = tmp.resolve("exports").resolve("never");

        CliResult failed = Dsv.run(library, "export", "--out", out.toString());
        assertEquals(3, failed.exitCode(), failed.toString());
        assertTrue(failed.err().contains("not a valid list of export folders"), failed.toString());
        assertFalse(Files.exists(out), "a failed export left its folder");
        JsonNode logged = ok("exports", "log", "--json").json().path("exports");
        assertTrue(logged.isArray(), logged.toString());
        assertEquals(0, logged.size(), "a failed export was logged");
        assertEquals("{not json", Files.readString(list));
    }

    /**
     * Puts {@code folder} back into the state a purge killed right after it marked the folder
     * {@code syncing}: the files as before the purge, with the metadata the purge wrote first.
     */
    private void interruptPurge(Path folder, Path before) throws IOException {
        JsonNode meta = JSON.readTree(folder.resolve("dsv-export.json").toFile());
        assertTrue(meta.path("purged_paths").size() > 0, meta.toString());
        ((com.fasterxml.jackson.databind.node.ObjectNode) meta).put("state", "syncing");
        deleteTree(folder);
        FileTrees.copy(before, folder);
        Files.write(folder.resolve("dsv-export.json"), JSON.writeValueAsBytes(meta));
    }

    @Test
    void interruptedPurgeFinishedByNextPurge() throws IOException {
        Path dir = export("dir");
        Path yolo = export("yolo", "--format", "yolo");
        Path dirBefore = tmp.resolve("copies").resolve("dir");
        Path yoloBefore = tmp.resolve("copies").resolve("yolo");
        FileTrees.copy(dir, dirBefore);
        FileTrees.copy(yolo, yoloBefore);
        ok("purge", PURGED_TRAIN, "--reason", "contract ended");
        List<String> dirAfter = files(dir);
        List<String> yoloAfter = files(yolo);
        interruptPurge(dir, dirBefore);
        interruptPurge(yolo, yoloBefore);
        assertEquals(1, holders(dir, trainBytes).size());
        assertEquals(1, holders(yolo, trainBytes).size());

        // Running the same purge again finishes both folders.
        Map<String, JsonNode> reported = byFolder(ok("--json", "purge", PURGED_TRAIN, "--reason", "contract ended")
                .json());
        assertEquals("rewritten", reported.get("dir").path("status").asText(), reported.toString());
        assertEquals("rewritten", reported.get("yolo").path("status").asText(), reported.toString());
        assertTrue(texts(reported.get("yolo").path("files_deleted")).contains("labels/train/batch/cell0002.txt"),
                reported.toString());
        for (Path folder : List.of(dir, yolo)) {
            assertEquals(List.of(), holders(folder, trainBytes), folder.toString());
            assertEquals(0, Dsv.run(library, "export", "--verify", folder.toString()).exitCode(), folder.toString());
            JsonNode meta = JSON.readTree(folder.resolve("dsv-export.json").toFile());
            assertEquals("complete", meta.path("state").asText());
            assertEquals(List.of(PURGED_TRAIN), texts(meta.path("purged_paths")));
        }
        assertEquals(dirAfter, files(dir));
        assertEquals(yoloAfter, files(yolo));

        // A later purge of another image finishes an interrupted folder too.
        interruptPurge(yolo, yoloBefore);
        Map<String, JsonNode> later = byFolder(ok("--json", "purge", PURGED_VAL, "--reason", "contract ended").json());
        assertEquals("rewritten", later.get("yolo").path("status").asText(), later.toString());
        assertEquals(List.of(), holders(yolo, trainBytes));
        assertEquals(List.of(), holders(yolo, valBytes));
        assertEquals(0, Dsv.run(library, "export", "--verify", yolo.toString()).exitCode());
        JsonNode meta = JSON.readTree(yolo.resolve("dsv-export.json").toFile());
        assertEquals(List.of(PURGED_TRAIN, PURGED_VAL), texts(meta.path("purged_paths")));
    }

    @Test
    void syncLeavesPurgedImagesOut() throws IOException {
        Path yolo = export("yolo", "--format", "yolo");
        Path before = tmp.resolve("copies").resolve("yolo");
        FileTrees.copy(yolo, before);
        ok("purge", PURGED_TRAIN, "--reason", "contract ended");
        interruptPurge(yolo, before);

        CliResult verify = Dsv.run(library, "export", "--verify", yolo.toString());
        assertTrue(verify.exitCode() != 0, verify.toString());
        assertTrue(verify.out().contains("--sync") || verify.err().contains("--sync"), verify.toString());
        ok("export", "--format", "yolo", "--sync", "--out", yolo.toString());
        assertEquals(0, Dsv.run(library, "export", "--verify", yolo.toString()).exitCode());
        assertEquals(List.of(), holders(yolo, trainBytes));
        JsonNode meta = JSON.readTree(yolo.resolve("dsv-export.json").toFile());
        assertEquals("complete", meta.path("state").asText());
        assertEquals(List.of(PURGED_TRAIN), texts(meta.path("purged_paths")));

        // A new export of the same selection still fails on the purged image.
        Path fresh = tmp.resolve("exports").resolve("fresh");
        CliResult failed = Dsv.run(library, "export", "--format", "yolo", "--out", fresh.toString());
        assertEquals(7, failed.exitCode(), failed.toString());
        assertFalse(Files.exists(fresh));
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}

package dev.dsv.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.DsvProcess;
import dev.dsv.testing.ElpvLabels;
import dev.dsv.testing.Images;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daily loop on the whole ELPV library through scripts/dsv: relabel 100 images, move 10 to
 * the test split, remove 5, commit, then diff, log --path, export a subset, verify the export,
 * sync it to the earlier commit, verify the commit and collect garbage.
 */
class DailyLoopIT {
    @TempDir
    Path tmp;

    private static CliResult ok(Path dir, String... args) {
        CliResult r = DsvProcess.run(dir, args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r);
        return r;
    }

    @Test
    void relabelMoveRemoveExport() throws IOException {
        Map<String, ElpvLabels.Row> rows = ElpvLabels.read();
        List<String> names = new ArrayList<>(rows.keySet());
        List<String> relabeled = names.subList(0, 100);
        List<String> moved = names.subList(100, 110);
        List<String> removed = names.subList(110, 115);

        ok(tmp, "init", "lib");
        ok(tmp.resolve("lib"), "switch", "-c", "work");
        Path lib = tmp.resolve("lib");
        Path labels = ElpvLabels.writeDsvCsv(tmp.resolve("elpv.csv"));
        ok(lib, "add", Images.ELPV.resolve("images").toString(), "--labels", labels.toString(), "--source", "production",
                "--labeler", "elpv-experts", "--split", "train");
        String first = ok(lib, "--json", "commit", "-m", "ELPV").json().path("commit").path("id").asText();

        StringBuilder relabel = new StringBuilder("dataset_path,defects,labeler,labeled_at\n");
        for (String n : relabeled) {
            relabel.append("images/").append(n).append(",microcrack,verifier-03,2026-06-02T09:00:00+08:00\n");
        }
        Files.writeString(tmp.resolve("relabel.csv"), relabel);
        assertEquals(100, ok(lib, "--json", "label", "import", tmp.resolve("relabel.csv").toString()).json()
                .path("relabeled").asInt());
        List<String> args = new ArrayList<>(List.of("--json", "set"));
        moved.forEach(n -> args.add("images/" + n));
        args.addAll(List.of("--split", "test"));
        assertEquals(10, ok(lib, args.toArray(String[]::new)).json().path("changed").asInt());
        List<String> rm = new ArrayList<>(List.of("--json", "rm"));
        removed.forEach(n -> rm.add("images/" + n));
        assertEquals(5, ok(lib, rm.toArray(String[]::new)).json().path("removed").asInt());
        String second = ok(lib, "--json", "commit", "-m", "verification fixes").json().path("commit").path("id").asText();

        JsonNode diff = ok(lib, "--json", "diff", first, second).json();
        assertEquals(100, diff.path("counts").path("relabeled").asInt(), diff.path("counts").toString());
        assertEquals(10, diff.path("counts").path("resplit").asInt());
        assertEquals(5, diff.path("counts").path("removed").asInt());
        assertEquals(0, diff.path("counts").path("added").asInt());
        assertEquals(0, diff.path("counts").path("replaced").asInt());
        assertEquals(115, diff.path("changes").size());

        JsonNode history = ok(lib, "--json", "log", "--path", "images/" + relabeled.get(0)).json().path("versions");
        assertEquals(2, history.size(), history.toString());
        assertEquals("verifier-03", history.get(0).path("label").path("labeler").asText());
        assertEquals("microcrack", history.get(0).path("label").path("defects").get(0).path("type").asText());
        assertEquals("elpv-experts", history.get(1).path("label").path("labeler").asText());
        assertEquals(history.get(1).path("label").path("id").asText(),
                history.get(0).path("label").path("supersedes").asText());

        Set<String> expected = new HashSet<>();
        for (ElpvLabels.Row r : rows.values()) {
            boolean defective = r.defect().equals("defective") && !relabeled.contains(r.file());
            if (r.cellType().equals("mono") && defective && !moved.contains(r.file()) && !removed.contains(r.file())) {
                expected.add("images/" + r.file());
            }
        }
        Path export = tmp.resolve("train-mono-defective");
        String[] subset = {"--cell-type", "mono", "--defect", "defective", "--split", "train"};
        JsonNode exported = ok(lib, concat(new String[] {"--json", "export", second, "--out", export.toString()}, subset)).json();
        assertEquals(expected.size(), exported.path("images").asInt());
        List<String> manifest = Files.readAllLines(export.resolve("manifest.csv"));
        assertEquals(expected.size() + 1, manifest.size());
        Set<String> manifestPaths = new HashSet<>();
        manifest.subList(1, manifest.size()).forEach(l -> manifestPaths.add(l.split(",")[0]));
        assertEquals(expected, manifestPaths);
        try (var files = Files.walk(export.resolve("images"))) {
            assertEquals(expected.size(), files.filter(Files::isRegularFile).count());
        }

        assertTrue(ok(lib, "--json", "export", "--verify", export.toString()).json().path("ok").asBoolean());
        String victim = expected.iterator().next();
        try (RandomAccessFile f = new RandomAccessFile(export.resolve(victim).toFile(), "rw")) {
            f.seek(200);
            int b = f.read();
            f.seek(200);
            f.write(b ^ 0xff);
        }
        CliResult changedByte = DsvProcess.run(lib, "--json", "export", "--verify", export.toString());
        assertEquals(1, changedByte.exitCode(), changedByte.toString());
        assertEquals(List.of(victim), List.of(changedByte.json().path("modified").get(0).asText()));
        Files.writeString(export.resolve("images/stray.txt"), "not from dsv");
        CliResult stray = DsvProcess.run(lib, "--json", "export", "--verify", export.toString());
        assertEquals(1, stray.exitCode());
        assertEquals("images/stray.txt", stray.json().path("extra").get(0).asText());

        Path cache = tmp.resolve("ci-cache");
        ok(lib, concat(new String[] {"export", second, "--out", cache.toString()}, subset));
        JsonNode synced = ok(lib, concat(new String[] {"--json", "export", first, "--out", cache.toString(), "--sync"}, subset)).json();
        Set<String> before = new HashSet<>();
        for (ElpvLabels.Row r : rows.values()) {
            if (r.cellType().equals("mono") && r.defect().equals("defective")) {
                before.add("images/" + r.file());
            }
        }
        Set<String> onlyBefore = new HashSet<>(before);
        onlyBefore.removeAll(expected);
        assertEquals(onlyBefore.size(), synced.path("written").asInt(), synced.toString());
        assertEquals(expected.size(), synced.path("kept").asInt());
        assertEquals(0, synced.path("deleted").asInt());
        assertTrue(ok(lib, "--json", "export", "--verify", cache.toString()).json().path("ok").asBoolean());

        JsonNode verify = ok(lib, "--json", "verify", second).json();
        assertTrue(verify.path("ok").asBoolean());
        assertEquals(2624 - 5, verify.path("images").asInt());

        Path pending = tmp.resolve("pending");
        Files.createDirectories(pending);
        Files.copy(Images.SAMPLE.resolve("images/cell0001.png"), pending.resolve("new-cell.png"));
        Files.writeString(pending.resolve("new-cell.png"), "x", java.nio.file.StandardOpenOption.APPEND);
        CliResult bad = DsvProcess.run(lib, "add", pending.toString(), "--cell-type", "mono", "--source", "production",
                "--labeler", "lab-09");
        assertEquals(0, bad.exitCode(), bad.toString());
        JsonNode dry = ok(lib, "--json", "gc", "--dry-run", "--grace", "0").json();
        Set<String> committedBlobs = new HashSet<>();
        for (JsonNode img : ok(lib, "--json", "ls", first).json().path("images")) {
            committedBlobs.add(img.path("sha256").asText());
        }
        for (JsonNode g : dry.path("objects")) {
            assertFalse(committedBlobs.contains(g.path("id").asText()), "gc would delete a committed image: " + g);
        }
        ok(lib, "gc", "--grace", "0");
        assertTrue(ok(lib, "--json", "fsck").json().path("ok").asBoolean());
        assertEquals(1, ok(lib, "--json", "status").json().path("counts").path("added").asInt());
        assertTrue(ok(lib, "--json", "verify", first).json().path("ok").asBoolean());
        assertTrue(ok(lib, "--json", "export", "--verify", cache.toString()).json().path("ok").asBoolean());
        ok(lib, "commit", "-m", "pending cell");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}

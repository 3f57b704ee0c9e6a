package dev.dsv.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.DsvProcess;
import dev.dsv.testing.ElpvLabels;
import dev.dsv.testing.Images;
import dev.dsv.testing.ReviewFlow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batches on branches, gated promotion, two models at different main commits, and a rollback
 * that lists exactly the model that saw the bad batch. Through scripts/dsv on ELPV images.
 */
class LineageIT {
    @TempDir
    Path tmp;

    private static CliResult ok(Path dir, String... args) {
        CliResult r = DsvProcess.run(dir, args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r);
        return r;
    }

    private Path batch(String name, List<ElpvLabels.Row> rows) throws IOException {
        Path folder = tmp.resolve(name);
        Files.createDirectories(folder);
        StringBuilder csv = new StringBuilder("path,cell_type,defects,confidence\n");
        for (ElpvLabels.Row r : rows) {
            Files.copy(Images.ELPV.resolve("images").resolve(r.file()), folder.resolve(r.file()));
            csv.append(r.file()).append(',').append(r.cellType()).append(',')
                    .append(r.defect().equals("none") ? "" : r.defect()).append(',').append(r.probability()).append('\n');
        }
        Files.writeString(folder.resolve("labels.csv"), csv);
        return folder;
    }

    private String head(Path lib, String rev) {
        return ok(lib, "--json", "log", rev, "-n", "1").json().path("commits").get(0).path("id").asText();
    }

    @Test
    void rollbackListsExactlyTheAffectedModel() throws IOException {
        List<ElpvLabels.Row> all = new ArrayList<>(ElpvLabels.read().values());
        ok(tmp, "init", "lib");
        Path lib = tmp.resolve("lib");
        String[] names = {"batch-1", "batch-2", "batch-3"};
        String[] commits = new String[3];
        for (int i = 0; i < 3; i++) {
            Path folder = batch(names[i], all.subList(i * 200, (i + 1) * 200));
            ok(lib, "switch", "-c", names[i], "main");
            ok(lib, "add", folder.toString(), "--labels", folder.resolve("labels.csv").toString(), "--source", "production",
                    "--labeler", "line-" + i);
            commits[i] = ok(lib, "--json", "commit", "-m", names[i]).json().path("commit").path("id").asText();
        }
        ReviewFlow.addVerifier(DsvProcess::run, lib, "senior-01");
        ReviewFlow.addVerifier(DsvProcess::run, lib, "senior-02");
        ReviewFlow.passAll(DsvProcess::run, lib, commits[0], "senior-01");
        ReviewFlow.passAll(DsvProcess::run, lib, commits[1], "senior-02");

        CliResult refused = DsvProcess.run(lib, "--json", "promote", "batch-3");
        assertEquals(1, refused.exitCode(), refused.toString());
        assertTrue(refused.json().path("gates").get(0).path("examples").get(0).asText()
                .startsWith(commits[2] + ": pending"), refused.toString());
        assertEquals(5, DsvProcess.run(lib, "log", "main").exitCode(), "main unchanged");

        ok(lib, "promote", "batch-1");
        ok(lib, "model", "register", "detector-v1", "--data", "main");
        ok(lib, "promote", "batch-2");
        ok(lib, "model", "register", "detector-v2", "--data", "main");
        assertEquals(400, ok(lib, "--json", "ls", "main").json().path("count").asInt());

        ok(lib, "switch", "main");
        JsonNode rollback = ok(lib, "--json", "rollback", commits[1], "-m", "batch 2 labels drifted").json();
        assertEquals(200, rollback.path("changed").asInt());
        assertEquals(1, rollback.path("retrain").size(), rollback.toString());
        assertEquals("detector-v2", rollback.path("retrain").get(0).path("name").asText());
        assertEquals(200, ok(lib, "--json", "ls", "main").json().path("count").asInt());
        JsonNode models = ok(lib, "--json", "model", "list", "--affected-by", commits[1]).json().path("models");
        assertEquals(1, models.size());
        assertTrue(ok(lib, "log", "main").out().contains("Rollback:"));
        assertTrue(ok(lib, "--json", "fsck").json().path("ok").asBoolean());
        JsonNode v1 = ok(lib, "--json", "model", "show", "detector-v1").json().path("model");
        assertEquals(false, v1.path("unprotected_data").asBoolean());
        assertEquals(head(lib, "main~2"), v1.path("data").asText(), "detector-v1 was trained on the first promotion");
    }
}

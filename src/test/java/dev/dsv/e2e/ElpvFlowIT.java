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
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.codec.digest.DigestUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole ELPV library through scripts/dsv, as a user runs it. */
class ElpvFlowIT {
    @TempDir
    Path tmp;

    private static CliResult ok(Path dir, String... args) {
        CliResult r = DsvProcess.run(dir, args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r);
        return r;
    }

    @Test
    void wholeLibrary() throws IOException {
        Path labels = ElpvLabels.writeDsvCsv(tmp.resolve("elpv-labels.csv"));
        ok(tmp, "init", "lib");
        ok(tmp.resolve("lib"), "switch", "-c", "work");
        Path lib = tmp.resolve("lib");
        String images = Images.ELPV.resolve("images").toString();

        JsonNode added = ok(lib, "--json", "add", images, "--labels", labels.toString(), "--source", "production",
                "--labeler", "elpv-experts").json();
        assertEquals(2624, added.path("added").asInt(), added.toString());
        assertEquals(2624, ok(lib, "--json", "status").json().path("counts").path("added").asInt());

        JsonNode commit = ok(lib, "--json", "commit", "-m", "ELPV 1.0").json().path("commit");
        String id = commit.path("id").asText();
        CliResult unverified = DsvProcess.run(lib, "promote", "work");
        assertEquals(1, unverified.exitCode(), unverified.toString());
        ReviewFlow.addVerifier(DsvProcess::run, lib, "senior-01");
        assertEquals(132, ReviewFlow.passAll(DsvProcess::run, lib, id, "senior-01"),
                "5% of 2 624 labels of one day, rounded up");
        ok(lib, "promote", "work", "--into", "main");
        assertEquals(id, ok(lib, "--json", "log", "main", "-n", "1").json().path("commits").get(0).path("id").asText());

        Map<String, Integer> expected = ElpvLabels.counts();
        Map<String, Integer> summary = new TreeMap<>();
        for (JsonNode s : ok(lib, "--json", "ls", "main", "--summary").json().path("sub_libraries")) {
            summary.put(s.path("cell_type").asText() + "/" + s.path("defect").asText(), s.path("images").asInt());
        }
        assertEquals(expected, summary);
        for (Map.Entry<String, Integer> e : expected.entrySet()) {
            String[] key = e.getKey().split("/");
            JsonNode ls = ok(lib, "--json", "ls", id, "--cell-type", key[0], "--defect", key[1]).json();
            assertEquals(e.getValue().intValue(), ls.path("count").asInt(), e.getKey());
            assertEquals(e.getValue().intValue(), ls.path("images").size(), e.getKey());
        }

        JsonNode first = ok(lib, "--json", "ls", "--cell-type", "mono", "--defect", "defective").json().path("images").get(0);
        Path file = Images.ELPV.resolve(first.path("path").asText());
        assertEquals(DigestUtils.sha256Hex(Files.readAllBytes(file)), first.path("sha256").asText());

        JsonNode show = ok(lib, "--json", "show", "HEAD").json();
        assertEquals(id, show.path("commit").path("id").asText());
        assertEquals(2624, show.path("changes").path("added").asInt());
        JsonNode log = ok(lib, "--json", "log").json();
        assertEquals(1, log.path("commits").size());
        assertTrue(ok(lib, "log").out().contains("ELPV 1.0"));

        JsonNode fsck = ok(lib, "--json", "fsck").json();
        assertTrue(fsck.path("ok").asBoolean(), fsck.toString());
        assertEquals(distinctImages(), fsck.path("checked").path("blob").asInt());
        assertEquals(0, fsck.path("missing").size());

        JsonNode again = ok(lib, "--json", "add", images, "--labels", labels.toString(), "--source", "production",
                "--labeler", "elpv-experts").json();
        assertEquals(0, again.path("staged").asInt(), again.toString());
        assertEquals(0, again.path("hashed").asInt(), "a no-op re-add must not re-hash: " + again);
        assertTrue(ok(lib, "status").out().contains("Nothing staged"));
    }

    private static int distinctImages() throws IOException {
        Set<String> hashes = new HashSet<>();
        try (Stream<Path> files = Files.list(Images.ELPV.resolve("images"))) {
            for (Path p : files.toList()) {
                hashes.add(DigestUtils.sha256Hex(Files.readAllBytes(p)));
            }
        }
        return hashes.size();
    }

    @Test
    void chineseNamesUnderCLocale() throws IOException {
        Path folder = tmp.resolve("批次-0601");
        Files.createDirectories(folder);
        Files.copy(Images.SAMPLE.resolve("images/cell0001.png"), folder.resolve("电池片-1.png"));
        Map<String, String> env = Map.of("LANG", "C", "LC_ALL", "C");
        assertEquals(0, DsvProcess.run(tmp, env, "init", "库").exitCode());
        Path lib = tmp.resolve("库");
        assertEquals(0, DsvProcess.run(lib, env, "switch", "-c", "批次").exitCode());
        CliResult add = DsvProcess.run(lib, env, "add", folder.toString(), "--cell-type", "HJT", "--source", "production",
                "--labeler", "李工");
        assertEquals(0, add.exitCode(), add.toString());
        assertEquals(0, DsvProcess.run(lib, env, "commit", "-m", "六月一日 三号线").exitCode());
        CliResult ls = DsvProcess.run(lib, env, "--json", "ls");
        assertEquals("批次-0601/电池片-1.png", ls.json().path("images").get(0).path("path").asText(), ls.toString());
        CliResult missingLocale = DsvProcess.run(lib, Map.of("LANG", "zh_CN.GB18030", "LC_ALL", ""), "ls");
        assertTrue(missingLocale.out().contains("批次-0601/电池片-1.png"), missingLocale.toString());
    }
}

package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.Images;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chinese folder and file names, labeler ids, attribute keys and values, branch names and commit
 * messages, through add, set, ls, show, log, diff, export, review and quality drift, with the
 * messages in Chinese too.
 */
class ChineseNamesTest {
    private static final String FIRST = "批次-0601/电池片-1.png";
    private static final String SECOND = "批次-0601/电池片-2.png";

    @TempDir
    Path tmp;

    private static CliResult ok(Path dir, String... args) {
        CliResult r = ChineseMessagesTest.inChinese(() -> Dsv.run(dir, args));
        assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r);
        return r;
    }

    private Path library() throws IOException {
        Path batch = Files.createDirectories(tmp.resolve("批次-0601"));
        Files.copy(Images.SAMPLE.resolve("images/cell0001.png"), batch.resolve("电池片-1.png"));
        Files.copy(Images.SAMPLE.resolve("images/cell0002.png"), batch.resolve("电池片-2.png"));
        Path labels = tmp.resolve("标注.csv");
        Files.writeString(labels, "path,cell_type,defects,labeler,产线\n"
                + "电池片-1.png,mono,defective,李工,三号线\n"
                + "电池片-2.png,mono,none,李工,三号线\n", StandardCharsets.UTF_8);
        ok(tmp, "init", "图像库");
        Path library = tmp.resolve("图像库");
        ok(library, "switch", "-c", "批次/六月");
        ok(library, "add", batch.toString(), "--labels", labels.toString(), "--source", "production");
        ok(library, "commit", "-m", "六月一日 三号线");
        ok(library, "set", SECOND, "--attr", "班次=夜班");
        ok(library, "commit", "-m", "夜班");
        return library;
    }

    @Test
    void namesSurviveListingAndJson() throws IOException {
        Path library = library();

        JsonNode images = ok(library, "--json", "ls", "--path", "批次-0601").json().path("images");
        assertEquals(2, images.size(), images.toString());
        JsonNode one = ok(library, "--json", "ls", "--path", FIRST).json().path("images");
        assertEquals(1, one.size(), "--path with an image's own path selects that image: " + one);
        assertEquals(FIRST, images.get(0).path("path").asText());
        assertEquals("李工", images.get(0).path("labeler").asText());
        assertEquals("三号线", images.get(0).path("attributes").path("产线").asText());
        assertEquals("夜班", images.get(1).path("attributes").path("班次").asText());

        String text = ok(library, "ls").out();
        assertTrue(text.contains(FIRST), text);
        assertTrue(text.contains(SECOND), text);

        JsonNode shown = ok(library, "--json", "show", "批次/六月:" + SECOND).json();
        assertEquals("夜班", shown.path("image").path("attributes").path("班次").asText(), shown.toString());
        assertEquals("李工", shown.path("label").path("labeler").asText(), shown.toString());

        JsonNode log = ok(library, "--json", "log").json();
        assertEquals("夜班", log.path("commits").get(0).path("message").asText(), log.toString());

        String history = ok(library, "log", "--path", SECOND).out();
        assertTrue(history.contains("李工"), history);

        String diff = ok(library, "diff", "HEAD~1", "HEAD").out();
        assertTrue(diff.contains(SECOND), diff);
        assertTrue(diff.contains("图像信息变更 1"), diff);
    }

    @Test
    void exportWritesChineseNames() throws IOException {
        Path library = library();
        Path out = tmp.resolve("导出");
        CliResult export = ok(library, "export", "HEAD", "--out", out.toString());
        assertTrue(export.out().startsWith("已从提交 "), export.out());

        assertArrayEquals(Files.readAllBytes(tmp.resolve(FIRST)), Files.readAllBytes(out.resolve(FIRST)));
        assertTrue(Files.isRegularFile(out.resolve(SECOND)));
        List<String> manifest = Files.readAllLines(out.resolve("manifest.csv"), StandardCharsets.UTF_8);
        assertEquals(3, manifest.size(), manifest.toString());
        assertTrue(manifest.get(1).startsWith(FIRST + ","), manifest.toString());
        assertTrue(manifest.get(1).contains(",李工,"), manifest.toString());

        CliResult verify = ok(library, "export", "--verify", out.toString());
        assertTrue(verify.out().contains("一致：2 张图像"), verify.out());
    }

    @Test
    void reviewAndDriftNameChineseLabelers() throws IOException {
        Path library = library();
        ok(library, "people", "add", "王工", "--role", "verifier");
        Path sheet = tmp.resolve("审核表.csv");
        ok(library, "review", "sample", "批次/六月", "--out", sheet.toString());
        List<String> rows = Files.readAllLines(sheet, StandardCharsets.UTF_8);
        assertEquals(2, rows.size(), "one of the day's two new labels is drawn: " + rows);
        assertTrue(rows.get(1).contains("批次-0601/电池片-"), rows.toString());
        assertTrue(rows.get(1).contains(",李工,"), rows.toString());

        assertTrue(rows.get(1).endsWith(",,,"), "decision, defects and note are empty: " + rows);
        Files.write(sheet, List.of(rows.get(0), rows.get(1).substring(0, rows.get(1).length() - 3) + ",pass,,"),
                StandardCharsets.UTF_8);
        CliResult recorded = ok(library, "review", "record", sheet.toString(), "--verifier", "王工");
        assertTrue(recorded.out().contains("王工"), recorded.out());

        JsonNode drift = ok(library, "--json", "quality", "drift", "--labeler", "李工").json();
        assertEquals("李工", drift.path("labelers").get(0).path("labeler").asText(), drift.toString());
        assertEquals(2, drift.path("labelers").get(0).path("months").get(0).path("labels").asInt(), drift.toString());
    }
}

package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.Images;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.codec.digest.DigestUtils;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** dsv export --format coco|yolo and --layout classes on ELPV images with hand-written regions. */
class TrainingExportTest {
    /** Six ELPV cells (300 x 300 pixels) with boxes and polygons over three splits. */
    static final String LABELS = """
            path,cell_type,defects,regions,split
            cell0001.png,mono,crack,"[{""defect"":""crack"",""box"":[10.5,20,30,40]}]",train
            cell0002.png,mono,crack;finger-interruption,"[{""defect"":""crack"",""polygon"":[[1,1],[50,2],[30,60]]},{""defect"":""finger-interruption"",""box"":[100,100,20,10]}]",train
            cell0003.png,mono,,,val
            cell0004.png,mono,microcrack,"[{""defect"":""microcrack"",""box"":[0,0,300,300]}]",val
            cell0005.png,poly,crack,"[{""defect"":""crack"",""box"":[250.25,10,49.75,5.5]}]",test
            cell0006.png,poly,microcrack,,test
            """;
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    Path library;

    @BeforeEach
    void setUp() throws IOException {
        library = tmp.resolve("lib");
        assertEquals(0, Dsv.run(tmp, "init", "lib").exitCode());
        assertEquals(0, Dsv.run(library, "switch", "-c", "work").exitCode());
        addSample(library, tmp.resolve("in"));
        ok("commit", "-m", "regions");
    }

    /** Adds six sample images under batch/ with the hand-written labels. */
    static void addSample(Path library, Path folder) throws IOException {
        Path images = folder.resolve("batch");
        Images.copySample(images, 6);
        Path labels = folder.resolve("labels.csv");
        Files.writeString(labels, LABELS);
        CliResult add = Dsv.run(library, "add", images.toString(), "--labels", labels.toString(), "--source",
                "production", "--labeler", "anna", "--labeled-at", "2024-05-02T08:00:00Z");
        assertEquals(0, add.exitCode(), add.toString());
    }

    private CliResult ok(String... args) {
        CliResult r = Dsv.run(library, args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r);
        return r;
    }

    private String head() {
        return ok("--json", "log", "-n", "1").json().path("commits").get(0).path("id").asText();
    }

    @Test
    void cocoSameBytesTwice() throws IOException {
        ok("export", "--format", "coco", "--out", tmp.resolve("a").toString());
        ok("export", "--format", "coco", "--out", tmp.resolve("b").toString());
        assertArrayEquals(Files.readAllBytes(tmp.resolve("a/annotations.json")),
                Files.readAllBytes(tmp.resolve("b/annotations.json")));
        assertArrayEquals(Files.readAllBytes(tmp.resolve("a/manifest.csv")), Files.readAllBytes(tmp.resolve("b/manifest.csv")));
    }

    @Test
    void cocoFileContents() throws IOException {
        ok("export", "--format", "coco", "--out", tmp.resolve("a").toString());
        JsonNode coco = JSON.readTree(tmp.resolve("a/annotations.json").toFile());
        assertEquals(head(), coco.path("info").path("dsv_commit").asText());
        List<String> categories = names(coco.path("categories"));
        assertEquals(List.of("crack", "finger-interruption", "microcrack"), categories);
        assertEquals(6, coco.path("images").size());
        JsonNode first = coco.path("images").get(0);
        assertEquals("batch/cell0001.png", first.path("file_name").asText());
        assertEquals(300, first.path("width").asInt());
        assertEquals(300, first.path("height").asInt());
        assertEquals("anna", first.path("dsv").path("labeler").asText());
        assertEquals("train", first.path("dsv").path("split").asText());
        assertEquals(DigestUtils.sha256Hex(Files.readAllBytes(tmp.resolve("a/batch/cell0001.png"))),
                first.path("dsv").path("sha256").asText());

        JsonNode annotations = coco.path("annotations");
        assertEquals(5, annotations.size());
        JsonNode box = annotations.get(0);
        assertEquals(1, box.path("image_id").asInt());
        assertEquals(1, box.path("category_id").asInt());
        assertEquals("[10.5,20,30,40]", box.path("bbox").toString());
        assertEquals("[]", box.path("segmentation").toString());
        assertEquals(1200, box.path("area").asDouble());
        JsonNode polygon = annotations.get(1);
        assertEquals("[[1,1,50,2,30,60]]", polygon.path("segmentation").toString());
        assertEquals("[1,1,49,59]", polygon.path("bbox").toString());
        // Shoelace area of (1,1), (50,2), (30,60): |(2 - 50) + (3000 - 60) + (30 - 60)| / 2.
        assertEquals(1431, polygon.path("area").asDouble());
        assertEquals(2, annotations.get(2).path("category_id").asInt(), "finger-interruption");
    }

    private static List<String> names(JsonNode categories) {
        List<String> out = new java.util.ArrayList<>();
        categories.forEach(c -> out.add(c.path("name").asText()));
        return out;
    }

    @Test
    void cocoVerifyFindsEditedAnnotations() throws IOException {
        Path out = tmp.resolve("a");
        ok("export", "--format", "coco", "--out", out.toString());
        CliResult clean = ok("--json", "export", "--verify", out.toString());
        assertTrue(clean.json().path("ok").asBoolean(), clean.toString());
        String text = Files.readString(out.resolve("annotations.json"));
        Files.writeString(out.resolve("annotations.json"), text.replace("10.5", "11.5"));
        CliResult r = Dsv.run(library, "--json", "export", "--verify", out.toString());
        assertEquals(1, r.exitCode(), r.toString());
        assertEquals("annotations.json", r.json().path("modified").get(0).asText());
    }

    @Test
    void yoloTreeAndLabelLines() throws IOException {
        Path out = tmp.resolve("y");
        ok("export", "--format", "yolo", "--out", out.toString());
        assertTrue(Files.isRegularFile(out.resolve("images/train/batch/cell0001.png")));
        assertTrue(Files.isRegularFile(out.resolve("images/val/batch/cell0003.png")));
        assertTrue(Files.isRegularFile(out.resolve("images/test/batch/cell0006.png")));
        assertFalse(Files.exists(out.resolve("batch")), "no images at their dataset paths");
        assertEquals(DigestUtils.sha256Hex(Files.readAllBytes(Images.sampleImages().get(0))),
                DigestUtils.sha256Hex(Files.readAllBytes(out.resolve("images/train/batch/cell0001.png"))));

        // Box [10.5, 20, 30, 40] in a 300 x 300 image: center (25.5, 40), size (30, 40).
        assertEquals("0 0.085000 0.133333 0.100000 0.133333\n",
                Files.readString(out.resolve("labels/train/batch/cell0001.txt")));
        assertEquals(List.of("0 0.003333 0.003333 0.166667 0.006667 0.100000 0.200000",
                        "1 0.366667 0.350000 0.066667 0.033333"),
                Files.readAllLines(out.resolve("labels/train/batch/cell0002.txt")));
        assertEquals("", Files.readString(out.resolve("labels/val/batch/cell0003.txt")), "no defect: empty file");
        assertEquals("2 0.500000 0.500000 1.000000 1.000000\n",
                Files.readString(out.resolve("labels/val/batch/cell0004.txt")));

        assertEquals("crack\nfinger-interruption\nmicrocrack\n", Files.readString(out.resolve("classes.txt")));
        String yaml = Files.readString(out.resolve("data.yaml"));
        assertTrue(yaml.startsWith("# dsv export of commit " + head() + "\n"), yaml);
        assertTrue(yaml.contains("\ntrain: images/train\n"), yaml);
        assertTrue(yaml.contains("\nval: images/val\n"), yaml);
        assertTrue(yaml.contains("\ntest: images/test\n"), yaml);
        assertTrue(yaml.contains("\nnc: 3\nnames:\n  0: \"crack\"\n  1: \"finger-interruption\"\n  2: \"microcrack\"\n"), yaml);

        CliResult verify = ok("--json", "export", "--verify", out.toString());
        assertTrue(verify.json().path("ok").asBoolean(), verify.toString());
        Files.writeString(out.resolve("labels/val/batch/cell0003.txt"), "0 0.5 0.5 0.1 0.1\n");
        Files.writeString(out.resolve("labels/val/batch/stray.txt"), "");
        CliResult r = Dsv.run(library, "--json", "export", "--verify", out.toString());
        assertEquals(1, r.exitCode(), r.toString());
        assertEquals("labels/val/batch/cell0003.txt", r.json().path("modified").get(0).asText());
        assertEquals("labels/val/batch/stray.txt", r.json().path("extra").get(0).asText());
    }

    @Test
    void yoloSameBytesTwice() throws IOException {
        ok("export", "--format", "yolo", "--cell-type", "mono", "--out", tmp.resolve("a").toString());
        ok("export", "--format", "yolo", "--cell-type", "mono", "--out", tmp.resolve("b").toString());
        for (String f : List.of("data.yaml", "classes.txt", "manifest.csv", "dsv-export.json",
                "labels/train/batch/cell0002.txt")) {
            assertArrayEquals(Files.readAllBytes(tmp.resolve("a").resolve(f)), Files.readAllBytes(tmp.resolve("b").resolve(f)), f);
        }
    }

    @Test
    void yoloWithoutValidationSplitValidatesOnTest() throws IOException {
        Path out = tmp.resolve("y");
        ok("export", "--format", "yolo", "--cell-type", "poly", "--out", out.toString());
        String yaml = Files.readString(out.resolve("data.yaml"));
        assertTrue(yaml.contains("\ntest: images/test\n"), yaml);
        assertTrue(yaml.contains("\n# no val or validation split selected: Ultralytics validates on the test split\n"
                + "val: images/test\n"), yaml);
        assertFalse(yaml.contains("train:"), yaml);
    }

    @Test
    void yoloValidationAndValSplitsKeepTheirKeys() throws IOException {
        Path config = library.resolve(".dsv/config.json");
        com.fasterxml.jackson.databind.node.ObjectNode settings = (com.fasterxml.jackson.databind.node.ObjectNode)
                JSON.readTree(config.toFile());
        settings.putArray("splits").add("train").add("val").add("validation").add("test");
        Files.writeString(config, JSON.writeValueAsString(settings));
        ok("set", "batch/cell0001.png", "--split", "validation");
        ok("commit", "-m", "validation split");
        Path out = tmp.resolve("y");
        ok("export", "--format", "yolo", "--out", out.toString());
        String yaml = Files.readString(out.resolve("data.yaml"));
        assertTrue(yaml.contains("\nval: images/val\n"), yaml);
        assertTrue(yaml.contains("\nvalidation: images/validation\n"), yaml);
        assertFalse(yaml.contains("# no val"), yaml);
    }

    @Test
    void yoloRejectsImageWithoutSplit() throws IOException {
        ok("set", "batch/cell0003.png", "--split", "none");
        ok("commit", "-m", "unsplit");
        CliResult r = Dsv.run(library, "export", "--format", "yolo", "--out", tmp.resolve("y").toString());
        assertEquals(3, r.exitCode(), r.toString());
        assertTrue(r.err().contains("batch/cell0003.png"), r.toString());
        assertFalse(Files.exists(tmp.resolve("y")), "nothing written");
    }

    @Test
    void classesLayoutFolders() throws IOException {
        Path out = tmp.resolve("c");
        ok("export", "--format", "jsonl", "--layout", "classes", "--cell-type", "poly", "--out", out.toString());
        assertTrue(Files.isRegularFile(out.resolve("test/crack/batch/cell0005.png")));
        assertTrue(Files.isRegularFile(out.resolve("test/microcrack/batch/cell0006.png")));
        assertTrue(Files.isRegularFile(out.resolve("manifest.jsonl")));
        CliResult verify = ok("--json", "export", "--verify", out.toString());
        assertTrue(verify.json().path("ok").asBoolean(), verify.toString());
        assertTrue(Files.readString(out.resolve("dsv-export.json")).contains("\"layout\" : \"classes\""));
    }

    @Test
    void classesLayoutRejectsSeveralDefects() {
        CliResult r = Dsv.run(library, "export", "--layout", "classes", "--out", tmp.resolve("c").toString());
        assertEquals(3, r.exitCode(), r.toString());
        assertTrue(r.err().contains("batch/cell0002.png"), r.toString());
        assertTrue(r.err().contains("crack;finger-interruption"), r.toString());
        assertFalse(Files.exists(tmp.resolve("c")));
    }

    @Test
    void contradictoryOptionsAreUsageErrors() {
        assertEquals(2, Dsv.run(library, "export", "--format", "csv", "--manifest", "jsonl", "--out",
                tmp.resolve("x").toString()).exitCode());
        assertEquals(2, Dsv.run(library, "export", "--format", "yolo", "--layout", "classes", "--out",
                tmp.resolve("x").toString()).exitCode());
        assertFalse(Files.exists(tmp.resolve("x")));
        ok("export", "--format", "coco", "--out", tmp.resolve("x").toString());
        CliResult otherShape = Dsv.run(library, "export", "--format", "yolo", "--sync", "--out",
                tmp.resolve("x").toString());
        assertEquals(2, otherShape.exitCode(), otherShape.toString());
        assertTrue(otherShape.err().contains("--format coco --layout paths"), otherShape.toString());
        assertFalse(Files.exists(tmp.resolve("x/data.yaml")), "nothing written");
    }

    @Test
    void yoloSyncMovesImageToNewSplit() throws IOException {
        Path out = tmp.resolve("y");
        ok("export", "--format", "yolo", "--out", out.toString());
        ok("set", "batch/cell0003.png", "--split", "train");
        ok("label", "set", "batch/cell0001.png", "--defect", "microcrack", "--labeler", "qa");
        ok("commit", "-m", "resplit and relabel");

        JsonNode synced = ok("--json", "export", "--format", "yolo", "--sync", "--out", out.toString()).json();
        assertEquals(1, synced.path("written").asInt(), synced.toString());
        assertEquals(5, synced.path("kept").asInt(), synced.toString());
        assertEquals(1, synced.path("deleted").asInt(), synced.toString());
        assertTrue(Files.isRegularFile(out.resolve("images/train/batch/cell0003.png")));
        assertFalse(Files.exists(out.resolve("images/val/batch/cell0003.png")));
        assertFalse(Files.exists(out.resolve("labels/val/batch/cell0003.txt")));
        assertEquals("", Files.readString(out.resolve("labels/train/batch/cell0003.txt")));
        assertEquals("", Files.readString(out.resolve("labels/train/batch/cell0001.txt")), "relabeled without regions");
        CliResult verify = ok("--json", "export", "--verify", out.toString());
        assertTrue(verify.json().path("ok").asBoolean(), verify.toString());

        Path fresh = tmp.resolve("fresh");
        ok("export", "--format", "yolo", "--out", fresh.toString());
        for (String f : List.of("data.yaml", "classes.txt", "manifest.csv", "labels/val/batch/cell0004.txt")) {
            assertArrayEquals(Files.readAllBytes(fresh.resolve(f)), Files.readAllBytes(out.resolve(f)), f);
        }
    }

    @Test
    void cocoSyncRewritesAnnotations() throws IOException {
        Path out = tmp.resolve("c");
        ok("export", "--format", "coco", "--out", out.toString());
        ok("label", "set", "batch/cell0001.png", "--defect", "microcrack", "--labeler", "qa");
        ok("commit", "-m", "relabel");
        JsonNode synced = ok("--json", "export", "--format", "coco", "--sync", "--out", out.toString()).json();
        assertEquals(0, synced.path("written").asInt(), synced.toString());
        assertEquals(6, synced.path("kept").asInt(), synced.toString());
        Path fresh = tmp.resolve("fresh");
        ok("export", "--format", "coco", "--out", fresh.toString());
        assertArrayEquals(Files.readAllBytes(fresh.resolve("annotations.json")),
                Files.readAllBytes(out.resolve("annotations.json")));
        CliResult verify = ok("--json", "export", "--verify", out.toString());
        assertTrue(verify.json().path("ok").asBoolean(), verify.toString());
    }

    @Test
    void classesSyncMovesRelabeledImage() throws IOException {
        Path out = tmp.resolve("k");
        ok("export", "--layout", "classes", "--cell-type", "poly", "--out", out.toString());
        ok("label", "set", "batch/cell0005.png", "--defect", "microcrack", "--labeler", "qa");
        ok("commit", "-m", "relabel");
        JsonNode synced = ok("--json", "export", "--layout", "classes", "--cell-type", "poly", "--sync", "--out",
                out.toString()).json();
        assertEquals(1, synced.path("written").asInt(), synced.toString());
        assertEquals(1, synced.path("deleted").asInt(), synced.toString());
        assertTrue(Files.isRegularFile(out.resolve("test/microcrack/batch/cell0005.png")));
        assertFalse(Files.exists(out.resolve("test/crack")), "emptied class folder removed");
        CliResult verify = ok("--json", "export", "--verify", out.toString());
        assertTrue(verify.json().path("ok").asBoolean(), verify.toString());
    }
}

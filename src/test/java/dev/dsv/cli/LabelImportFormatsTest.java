package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * dsv label import --format coco|yolo: round trips through dsv's own exports, hand-written files
 * shaped like annotation-tool exports, RLE masks, and every rejected input leaving the
 * repository byte for byte as it was.
 */
class LabelImportFormatsTest extends LabelImportFixture {
    static final ObjectMapper JSON = new ObjectMapper();

    /** A COCO file as CVAT writes it (licenses, info, attributes), for ELPV cells of 300 x 300 pixels. */
    static final String CVAT_COCO = """
            {"licenses":[{"name":"","id":0,"url":""}],
             "info":{"contributor":"","date_created":"","description":"","url":"","version":"","year":""},
             "categories":[{"id":1,"name":"Crack","supercategory":""},{"id":2,"name":"finger","supercategory":""},
                           {"id":3,"name":"unused","supercategory":""}],
             "images":[
              {"id":1,"width":300,"height":300,"file_name":"batch/cell0001.png","license":0,"flickr_url":"","coco_url":"","date_captured":0},
              {"id":2,"width":300,"height":300,"file_name":"batch/cell0003.png","license":0,"flickr_url":"","coco_url":"","date_captured":0},
              {"id":3,"width":300,"height":300,"file_name":"batch/cell0004.png","license":0,"flickr_url":"","coco_url":"","date_captured":0}],
             "annotations":[
              {"id":1,"image_id":1,"category_id":1,"segmentation":[],"area":412.5,"bbox":[12.25,30.5,15.0,27.5],"iscrowd":0,
               "attributes":{"occluded":false}},
              {"id":2,"image_id":1,"category_id":2,"segmentation":[[100.0,100.0,140.5,101.0,120.0,160.25,98.5,130.0]],
               "area":1999.5,"bbox":[98.5,100.0,42.0,60.25],"iscrowd":0,"attributes":{"occluded":false}},
              {"id":3,"image_id":2,"category_id":1,"segmentation":[],"area":10.0,"bbox":[0.0,290.0,5.0,2.0],"iscrowd":0,
               "attributes":{"occluded":false}}]}
            """;
    static final String MAPPING = "category,defect\nCrack,crack\nfinger,finger-interruption\n";


    /** Clears every label so that an import has to bring all regions back. */
    private void clearLabels() {
        ok("label", "set", "batch", "--defect", "none", "--labeler", "eraser");
        ok("commit", "-m", "cleared");
    }

    private JsonNode exportCoco(String name) throws IOException {
        Path out = tmp.resolve(name);
        ok("export", "--format", "coco", "--out", out.toString());
        return JSON.readTree(out.resolve("annotations.json").toFile());
    }

    /** Returns the annotations of the image with the given file name. */
    static List<JsonNode> annotationsOf(JsonNode coco, String fileName) {
        int id = -1;
        for (JsonNode image : coco.path("images")) {
            if (image.path("file_name").asText().equals(fileName)) {
                id = image.path("id").asInt();
            }
        }
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode a : coco.path("annotations")) {
            if (a.path("image_id").asInt() == id) {
                out.add(a);
            }
        }
        return out;
    }

    static String categoryOf(JsonNode coco, JsonNode annotation) {
        for (JsonNode c : coco.path("categories")) {
            if (c.path("id").asInt() == annotation.path("category_id").asInt()) {
                return c.path("name").asText();
            }
        }
        return null;
    }

    @Test
    void cocoRoundTripOfExport() throws IOException {
        JsonNode before = exportCoco("a");
        clearLabels();
        ok("label", "import", "--format", "coco", tmp.resolve("a/annotations.json").toString());
        ok("commit", "-m", "re-imported");
        JsonNode after = exportCoco("b");
        assertEquals(withoutInfo(before), withoutInfo(after));
    }

    private static JsonNode withoutInfo(JsonNode coco) {
        ObjectNode copy = coco.deepCopy();
        copy.remove("info");
        return copy;
    }

    @Test
    void cvatCocoThroughMapping() throws IOException {
        Path coco = write("cvat/instances_default.json", CVAT_COCO);
        Path map = write("map.csv", MAPPING);
        Files.setLastModifiedTime(coco, FileTime.from(Instant.parse("2024-06-01T10:15:00Z")));
        ok("label", "import", "--format", "coco", coco.toString(), "--categories", map.toString(), "--labeler", "bob",
                "--labeled-at-from-file");
        ok("commit", "-m", "cvat");
        JsonNode out = exportCoco("out");

        List<JsonNode> first = annotationsOf(out, "batch/cell0001.png");
        assertEquals(2, first.size());
        assertEquals("crack", categoryOf(out, first.get(0)));
        assertEquals(List.of(12.25, 30.5, 15.0, 27.5), numbers(first.get(0).path("bbox")));
        assertEquals("finger-interruption", categoryOf(out, first.get(1)));
        assertEquals(List.of(100.0, 100.0, 140.5, 101.0, 120.0, 160.25, 98.5, 130.0),
                numbers(first.get(1).path("segmentation").get(0)));
        assertEquals(List.of(98.5, 100.0, 42.0, 60.25), numbers(first.get(1).path("bbox")));
        assertEquals(1, annotationsOf(out, "batch/cell0003.png").size());
        assertEquals(0, annotationsOf(out, "batch/cell0004.png").size(), "listed without annotations: no defect");
        assertEquals(1, annotationsOf(out, "batch/cell0005.png").size(), "not in the file: unchanged");

        JsonNode image = out.path("images").get(0);
        assertEquals("bob", image.path("dsv").path("labeler").asText());
        assertEquals("2024-06-01T10:15:00Z", image.path("dsv").path("labeled_at").asText());
    }

    static List<Double> numbers(JsonNode array) {
        List<Double> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asDouble()));
        return out;
    }

    @Test
    void rleMasksBecomePolygons() throws IOException {
        // The compressed counts and the figures below come from pycocotools 2.0.11 (mask.encode,
        // mask.area, mask.toBbox). The 300 x 300 mask holds a 30 x 20 block with a 10 x 20 leg, a
        // 3 x 3 block, one pixel touching that block only at a corner, and a 20 x 10 frame around
        // a 5 x 3 hole.
        String counts = "ZS6:R900000000IQG1o8OQG1o8OQG1o8OQG1o8OQG1o86000000000000000000n[a0n0Tc^O000000000000000000"
                + "\\\\Od00000000000000000000000000000000000000Xed0_OY[[O0003Ndmk0";
        String coco = """
                {"categories":[{"id":1,"name":"crack"}],
                 "images":[{"id":5,"width":300,"height":300,"file_name":"batch/cell0005.png"},
                           {"id":6,"width":300,"height":300,"file_name":"batch/cell0006.png"}],
                 "annotations":[
                  {"id":1,"image_id":5,"category_id":1,"iscrowd":1,"bbox":[20,40,184,220],
                   "segmentation":{"size":[300,300],"counts":"%s"}},
                  {"id":2,"image_id":6,"category_id":1,"iscrowd":1,"bbox":[10,5,2,3],
                   "segmentation":{"size":[300,300],"counts":[3005,3,297,3,86692]}}]}
                """.formatted(counts);
        ok("label", "import", "--format", "coco", write("rle.json", coco).toString(), "--labeler", "dora");
        ok("commit", "-m", "masks");
        JsonNode out = exportCoco("out");

        List<JsonNode> masks = annotationsOf(out, "batch/cell0005.png");
        assertEquals(4, masks.size(), "one polygon per 4-connected group");
        double area = 0;
        double minX = Double.MAX_VALUE;
        double minY = Double.MAX_VALUE;
        double maxX = 0;
        double maxY = 0;
        for (JsonNode a : masks) {
            area += a.path("area").asDouble();
            List<Double> box = numbers(a.path("bbox"));
            minX = Math.min(minX, box.get(0));
            minY = Math.min(minY, box.get(1));
            maxX = Math.max(maxX, box.get(0) + box.get(2));
            maxY = Math.max(maxY, box.get(1) + box.get(3));
        }
        assertEquals(995 + 15, area, "pycocotools' area plus the filled 5 x 3 hole");
        assertEquals(List.of(20.0, 40.0, 184.0, 220.0), List.of(minX, minY, maxX - minX, maxY - minY));

        // Columns 10 and 11, rows 5 to 7: the outline of a 2 x 3 block of pixels.
        List<JsonNode> block = annotationsOf(out, "batch/cell0006.png");
        assertEquals(1, block.size());
        assertEquals(List.of(10.0, 5.0, 12.0, 5.0, 12.0, 8.0, 10.0, 8.0), numbers(block.get(0).path("segmentation").get(0)));
    }

    @Test
    void yoloHandWritten() throws IOException {
        Path dir = tmp.resolve("yolo");
        write("yolo/batch/cell0001.txt", "0 0.5 0.5 0.2 0.1\n1 0.1 0.1 0.3 0.1 0.2 0.4\n");
        write("yolo/batch/cell0004.txt", "");
        Path names = write("yolo-names/obj.names", "crack\nfinger-interruption\n");
        ok("label", "import", "--format", "yolo", dir.toString(), "--names", names.toString(), "--labeler", "carl");
        ok("commit", "-m", "yolo");
        Path out = tmp.resolve("out");
        ok("export", "--format", "yolo", "--out", out.toString());
        assertEquals(List.of("crack", "finger-interruption", "microcrack"), Files.readAllLines(out.resolve("classes.txt")));
        List<String> lines = Files.readAllLines(out.resolve("labels/train/batch/cell0001.txt"));
        assertEquals(2, lines.size());
        assertClose(List.of(0.0, 0.5, 0.5, 0.2, 0.1), lines.get(0));
        assertClose(List.of(1.0, 0.1, 0.1, 0.3, 0.1, 0.2, 0.4), lines.get(1));
        assertEquals("", Files.readString(out.resolve("labels/val/batch/cell0004.txt")));
    }

    /** Checks a YOLO line against expected values within YOLO's 6 decimal places. */
    private static void assertClose(List<Double> expected, String line) {
        String[] tokens = line.split(" ");
        assertEquals(expected.size(), tokens.length, line);
        for (int i = 0; i < tokens.length; i++) {
            assertEquals(expected.get(i), Double.parseDouble(tokens[i]), 1e-6, line);
        }
    }

    @Test
    void yoloEdgeRoundingClamped() throws IOException {
        // The box [0.25, 0, 30.5, 20] of a 300 x 300 image as 6-place YOLO: its top edge,
        // 0.033333 - 0.066667 / 2, lies 5e-7 above the image.
        write("edge/batch/cell0002.txt", "0 0.051667 0.033333 0.101667 0.066667\n");
        Path names = write("edge-names.txt", "crack\n");
        ok("label", "import", "--format", "yolo", tmp.resolve("edge").toString(), "--names", names.toString(),
                "--labeler", "fay");
        ok("commit", "-m", "edge");
        List<JsonNode> annotations = annotationsOf(exportCoco("out"), "batch/cell0002.png");
        assertEquals(1, annotations.size());
        assertEquals(List.of(0.25, 0.0, 30.5, 20.0), numbers(annotations.get(0).path("bbox")));
    }

    @Test
    void yoloFlatLabelsFolder() throws IOException {
        Path image = dev.dsv.testing.Images.sampleImages().get(6);
        ok("add", image.toString(), "--cell-type", "mono", "--source", "production", "--split", "train",
                "--labeler", "anna");
        String name = image.getFileName().toString();
        String stem = name.substring(0, name.lastIndexOf('.'));
        Path dir = tmp.resolve("studio");
        write("studio/labels/" + stem + ".txt", "0 0.5 0.5 0.2 0.1\n");
        Path names = write("studio/classes.txt", "crack\n");
        ok("label", "import", "--format", "yolo", dir.toString(), "--names", names.toString(), "--labeler", "erin");
        ok("commit", "-m", "flat");
        JsonNode out = exportCoco("out");
        List<JsonNode> annotations = annotationsOf(out, name);
        assertEquals(1, annotations.size());
        assertEquals("crack", categoryOf(out, annotations.get(0)));
        assertEquals(List.of(120.0, 135.0, 60.0, 30.0), numbers(annotations.get(0).path("bbox")));
    }

    @Test
    void yoloRoundTripOfExport() throws IOException {
        Path a = tmp.resolve("a");
        ok("export", "--format", "yolo", "--out", a.toString());
        clearLabels();
        ok("label", "import", "--format", "yolo", a.toString(), "--names", a.resolve("classes.txt").toString(),
                "--labeler", "anna", "--labeled-at", "2024-05-02T08:00:00Z");
        ok("commit", "-m", "re-imported");
        Path b = tmp.resolve("b");
        ok("export", "--format", "yolo", "--out", b.toString());
        List<Path> labels;
        try (Stream<Path> walk = Files.walk(a.resolve("labels"))) {
            labels = walk.filter(Files::isRegularFile).sorted().toList();
        }
        assertEquals(6, labels.size());
        for (Path file : labels) {
            Path other = b.resolve(a.relativize(file));
            assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(other), a.relativize(file).toString());
        }
        assertArrayEquals(Files.readAllBytes(a.resolve("classes.txt")), Files.readAllBytes(b.resolve("classes.txt")));
    }

    private String coco(String images, String annotations) {
        return """
                {"categories":[{"id":1,"name":"crack"},{"id":2,"name":"hairline"}],
                 "images":[%s],
                 "annotations":[%s]}
                """.formatted(images, annotations);
    }

    private static final String IMAGE_1 = "{\"id\":1,\"width\":300,\"height\":300,\"file_name\":\"batch/cell0001.png\"}";

    @Test
    void cocoUnknownCategoryRejected() throws IOException {
        Path file = write("bad.json", coco(IMAGE_1,
                "{\"id\":7,\"image_id\":1,\"category_id\":2,\"bbox\":[1,1,5,5]}"));
        rejected(List.of(file.toString(), "annotation id 7", "hairline", "--categories"),
                "label", "import", "--format", "coco", file.toString(), "--labeler", "bob");
        Path map = write("map.csv", "category,defect\ncrack,crack\n");
        rejected(List.of(file.toString(), "annotation id 7", "hairline", map.toString()),
                "label", "import", "--format", "coco", file.toString(), "--labeler", "bob", "--categories", map.toString());
        Path badMap = write("badmap.csv", "category,defect\nhairline,hairline-crack\n");
        rejected(List.of(badMap + ":2", "hairline-crack"),
                "label", "import", "--format", "coco", file.toString(), "--labeler", "bob", "--categories", badMap.toString());
    }

    @Test
    void cocoAbsentImagesRejected() throws IOException {
        Path unlisted = write("unlisted.json", coco(IMAGE_1,
                "{\"id\":8,\"image_id\":99,\"category_id\":1,\"bbox\":[1,1,5,5]}"));
        rejected(List.of(unlisted.toString(), "annotation id 8", "image id 99"),
                "label", "import", "--format", "coco", unlisted.toString(), "--labeler", "bob");
        Path unstaged = write("unstaged.json", coco(IMAGE_1 + ",{\"id\":2,\"width\":300,\"height\":300,"
                + "\"file_name\":\"batch/missing.png\"}", ""));
        rejected(List.of(unstaged.toString(), "image id 2", "batch/missing.png", "dsv add"),
                "label", "import", "--format", "coco", unstaged.toString(), "--labeler", "bob");
    }

    @Test
    void cocoOutOfBoundsRejected() throws IOException {
        Path box = write("box.json", coco(IMAGE_1,
                "{\"id\":9,\"image_id\":1,\"category_id\":1,\"bbox\":[290,10,20,5]}"));
        rejected(List.of(box.toString(), "annotation id 9", "300x300"),
                "label", "import", "--format", "coco", box.toString(), "--labeler", "bob");
        Path polygon = write("polygon.json", coco(IMAGE_1,
                "{\"id\":10,\"image_id\":1,\"category_id\":1,\"segmentation\":[[1,1,20,1,20,-0.5]],\"bbox\":[1,1,19,1]}"));
        rejected(List.of(polygon.toString(), "annotation id 10", "-0.5"),
                "label", "import", "--format", "coco", polygon.toString(), "--labeler", "bob");
        Path size = write("size.json", coco("{\"id\":1,\"width\":640,\"height\":480,\"file_name\":\"batch/cell0001.png\"}", ""));
        rejected(List.of(size.toString(), "image id 1", "640x480", "300x300"),
                "label", "import", "--format", "coco", size.toString(), "--labeler", "bob");
        Path rle = write("rle.json", coco(IMAGE_1, "{\"id\":11,\"image_id\":1,\"category_id\":1,\"iscrowd\":1,"
                + "\"segmentation\":{\"size\":[200,300],\"counts\":[60000]}}"));
        rejected(List.of(rle.toString(), "annotation id 11", "RLE"),
                "label", "import", "--format", "coco", rle.toString(), "--labeler", "bob");
    }

    @Test
    void cocoDuplicateAndMalformedRejected() throws IOException {
        Path duplicate = write("dup.json", coco(IMAGE_1 + ","
                + "{\"id\":1,\"width\":300,\"height\":300,\"file_name\":\"batch/cell0002.png\"}", ""));
        rejected(List.of(duplicate.toString(), "image id 1", "twice"),
                "label", "import", "--format", "coco", duplicate.toString(), "--labeler", "bob");
        Path malformed = write("malformed.json", "{\"categories\": [],\n \"images\": [\n  {\"id\": 1,,}\n]}\n");
        rejected(List.of(malformed + ":3:"),
                "label", "import", "--format", "coco", malformed.toString(), "--labeler", "bob");
        Path notCoco = write("not-coco.json", "{\"images\": []}");
        rejected(List.of(notCoco.toString(), "categories"),
                "label", "import", "--format", "coco", notCoco.toString(), "--labeler", "bob");
        Path noLabeler = write("no-labeler.json", coco(IMAGE_1, ""));
        rejected(List.of(noLabeler.toString(), "--labeler"), "label", "import", "--format", "coco", noLabeler.toString());
    }

    @Test
    void yoloBadInputRejected() throws IOException {
        Path names = write("names.txt", "crack\n");
        Path unknownClass = tmp.resolve("y1");
        Path file = write("y1/batch/cell0001.txt", "0 0.5 0.5 0.1 0.1\n3 0.5 0.5 0.1 0.1\n");
        rejected(List.of(file + ":2", "class 3", names.toString()),
                "label", "import", "--format", "yolo", unknownClass.toString(), "--names", names.toString(), "--labeler", "bob");
        file = write("y2/batch/cell0001.txt", "0 0.5 0.5\n");
        rejected(List.of(file + ":1", "0 0.5 0.5"),
                "label", "import", "--format", "yolo", tmp.resolve("y2").toString(), "--names", names.toString(),
                "--labeler", "bob");
        file = write("y3/batch/cell0001.txt", "0 0.95 0.5 0.2 0.1\n");
        rejected(List.of(file + ":1", "outside"),
                "label", "import", "--format", "yolo", tmp.resolve("y3").toString(), "--names", names.toString(),
                "--labeler", "bob");
        file = write("y4/batch/cell0999.txt", "0 0.5 0.5 0.1 0.1\n");
        rejected(List.of(file.toString(), "batch/cell0999"),
                "label", "import", "--format", "yolo", tmp.resolve("y4").toString(), "--names", names.toString(),
                "--labeler", "bob");
        Path unknownName = write("unknown-names.txt", "crack\nhairline\n");
        file = write("y5/batch/cell0001.txt", "1 0.5 0.5 0.1 0.1\n");
        rejected(List.of(file + ":1", "hairline"),
                "label", "import", "--format", "yolo", tmp.resolve("y5").toString(), "--names", unknownName.toString(),
                "--labeler", "bob");
        file = write("y6/batch/cell0001.txt", "0 0.5 0.5 0.1 0.1\n");
        rejected(List.of(file.toString(), "--labeler"),
                "label", "import", "--format", "yolo", tmp.resolve("y6").toString(), "--names", names.toString());
    }

    @Test
    void yoloNeedsNames() {
        CliResult r = Dsv.run(library, "label", "import", "--format", "yolo", tmp.toString(), "--labeler", "bob");
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("--names"), r.toString());
    }
}

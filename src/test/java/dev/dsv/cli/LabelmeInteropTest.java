package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.Images;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files written by a real annotation tool: labelme 5.1.1 from Debian (packages labelme and
 * labelme-examples, which .ci/run installs). labelme2voc.py turns labelme rectangles into Pascal
 * VOC at test time, and the example COCO file that labelme2coco.py wrote with pycocotools ships in
 * labelme-examples. dsv must read both as the tool drew them and, for COCO, export the same
 * polygons again, and reject the one point of the example that lies outside its image. A
 * missing labelme fails the tests with how to install it.
 */
class LabelmeInteropTest {
    static final Path PYTHON = Path.of("/usr/bin/python3");
    static final Path EXAMPLES = Path.of("/usr/share/doc/labelme-examples/examples");
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    Path library;

    @BeforeEach
    void setUp() {
        if (!Files.isRegularFile(EXAMPLES.resolve("bbox_detection/labelme2voc.py"))
                || run(List.of(PYTHON.toString(), "-c", "import labelme, lxml"), tmp) != 0) {
            fail("labelme from Debian is needed (" + PYTHON + " with the labelme module, and "
                    + EXAMPLES + "); install it with: apt-get install labelme labelme-examples python3-lxml");
        }
        library = tmp.resolve("lib");
        assertEquals(0, Dsv.run(tmp, "init", "lib").exitCode());
        assertEquals(0, Dsv.run(library, "switch", "-c", "work").exitCode());
    }

    /** Labelme rectangles as two corners, in the order the labeler dragged them. */
    static final Map<String, List<double[]>> RECTANGLES = Map.of(
            "cell0001", List.of(new double[] {27.75, 58.0, 12.5, 30.25}, new double[] {100, 100, 140.5, 161.125}),
            "cell0002", List.of(new double[] {0, 280, 20, 300}),
            "cell0003", List.of());
    static final Map<String, List<String>> RECTANGLE_LABELS = Map.of(
            "cell0001", List.of("crack", "finger-interruption"),
            "cell0002", List.of("crack"),
            "cell0003", List.of());

    @Test
    void labelme2vocBoxesReadAsDrawn() throws IOException {
        Path drawn = tmp.resolve("labelme");
        Files.createDirectories(drawn);
        List<Path> samples = Images.sampleImages();
        int i = 0;
        for (String name : new TreeMap<>(RECTANGLES).keySet()) {
            // labelme2voc.py writes the image depth from the third array axis, so it needs a colour image.
            BufferedImage gray = ImageIO.read(samples.get(i++).toFile());
            BufferedImage rgb = new BufferedImage(gray.getWidth(), gray.getHeight(), BufferedImage.TYPE_INT_RGB);
            rgb.getGraphics().drawImage(gray, 0, 0, null);
            ImageIO.write(rgb, "png", drawn.resolve(name + ".png").toFile());
            Files.writeString(drawn.resolve(name + ".json"), labelmeJson(name, gray.getWidth(), gray.getHeight()));
        }
        Path labels = Files.writeString(tmp.resolve("labels.txt"), "__ignore__\n_background_\ncrack\nfinger-interruption\n");
        Path voc = tmp.resolve("voc");
        assertEquals(0, run(List.of(PYTHON.toString(), EXAMPLES.resolve("bbox_detection/labelme2voc.py").toString(),
                drawn.toString(), voc.toString(), "--labels", labels.toString(), "--noviz"), tmp), "labelme2voc.py");

        Path csv = Files.writeString(tmp.resolve("cells.csv"),
                "path,cell_type\ncell0001.jpg,mono\ncell0002.jpg,mono\ncell0003.jpg,mono\n");
        Path grayImages = grayCopies(voc.resolve("JPEGImages"), tmp.resolve("gray/JPEGImages"));
        ok("add", grayImages.toString(), "--labels", csv.toString(), "--source", "production",
                "--labeler", "anna", "--labeled-at", "2024-05-02T08:00:00Z");
        ok("commit", "-m", "labelme images");
        ok("label", "import", "--format", "voc", voc.resolve("Annotations").toString(), "--voc-coordinates",
                "continuous", "--labeler", "lm.user", "--labeled-at", "2024-06-08T10:00:00Z");
        ok("commit", "-m", "labelme boxes");

        Map<String, JsonNode> images = images();
        for (String name : RECTANGLES.keySet()) {
            JsonNode image = images.get("JPEGImages/" + name + ".jpg");
            List<String> expected = new ArrayList<>();
            for (int k = 0; k < RECTANGLES.get(name).size(); k++) {
                double[] r = RECTANGLES.get(name).get(k);
                double x = Math.min(r[0], r[2]);
                double y = Math.min(r[1], r[3]);
                expected.add(RECTANGLE_LABELS.get(name).get(k) + " box " + List.of(x, y, Math.max(r[0], r[2]) - x,
                        Math.max(r[1], r[3]) - y));
            }
            assertEquals(sorted(expected), sorted(regions(image)), name);
        }
    }

    private static String labelmeJson(String name, int width, int height) throws IOException {
        Map<String, Object> doc = new java.util.LinkedHashMap<>();
        doc.put("version", "5.1.1");
        doc.put("flags", Map.of());
        List<Map<String, Object>> shapes = new ArrayList<>();
        for (int k = 0; k < RECTANGLES.get(name).size(); k++) {
            double[] r = RECTANGLES.get(name).get(k);
            Map<String, Object> shape = new java.util.LinkedHashMap<>();
            shape.put("label", RECTANGLE_LABELS.get(name).get(k));
            shape.put("points", List.of(List.of(r[0], r[1]), List.of(r[2], r[3])));
            shape.put("group_id", null);
            shape.put("shape_type", "rectangle");
            shape.put("flags", Map.of());
            shapes.add(shape);
        }
        doc.put("shapes", shapes);
        doc.put("imagePath", name + ".png");
        doc.put("imageData", null);
        doc.put("imageHeight", height);
        doc.put("imageWidth", width);
        return JSON.writeValueAsString(doc);
    }

    /** Category mapping for the VOC classes in labelme's example COCO file. */
    static final String COCO_MAPPING = """
            category,defect
            person,crack
            bus,microcrack
            bottle,dark-spot
            car,black-spot
            chair,scratch
            sofa,corrosion
            """;

    @Test
    void labelme2cocoPolygonsSurviveRoundTrip() throws IOException {
        Path example = EXAMPLES.resolve("instance_segmentation/data_dataset_coco");
        Path images = grayCopies(example.resolve("JPEGImages"), tmp.resolve("coco/JPEGImages"));
        JsonNode original = JSON.readTree(example.resolve("annotations.json").toFile());
        StringBuilder csv = new StringBuilder("path,cell_type\n");
        original.path("images").forEach(image -> csv.append(image.path("file_name").asText()
                .replace("JPEGImages/", "")).append(",mono\n"));
        ok("add", images.toString(), "--labels", Files.writeString(tmp.resolve("cells.csv"), csv).toString(),
                "--source", "production", "--labeler", "anna", "--labeled-at", "2024-05-02T08:00:00Z");
        ok("commit", "-m", "labelme images");
        Path mapping = Files.writeString(tmp.resolve("map.csv"), COCO_MAPPING);

        // labelme lets a polygon point lie outside the image, and its example has one such point.
        CliResult outside = Dsv.run(library, "label", "import", "--format", "coco",
                example.resolve("annotations.json").toString(), "--categories", mapping.toString(), "--labeler",
                "lm.user");
        assertEquals(3, outside.exitCode(), outside.toString());
        assertTrue(outside.err().contains("annotation id 9: [165.54250204582655, 375.38461538461536] lies outside"),
                outside.toString());

        ObjectNode inside = original.deepCopy();
        ArrayNode annotations = inside.putArray("annotations");
        original.path("annotations").forEach(a -> {
            if (a.path("id").asInt() != 9) {
                annotations.add(a);
            }
        });
        Path file = Files.writeString(tmp.resolve("annotations.json"), JSON.writeValueAsString(inside));
        ok("label", "import", "--format", "coco", file.toString(), "--categories", mapping.toString(),
                "--labeler", "lm.user", "--labeled-at", "2024-06-08T10:00:00Z");
        ok("commit", "-m", "labelme polygons");
        Path out = tmp.resolve("out");
        ok("export", "--format", "coco", "--out", out.toString());
        JsonNode exported = JSON.readTree(out.resolve("annotations.json").toFile());

        Map<String, String> defectOf = new HashMap<>();
        COCO_MAPPING.lines().skip(1).forEach(line -> defectOf.put(line.split(",")[0], line.split(",")[1]));
        Map<String, List<List<Double>>> want = polygons(inside, defectOf);
        Map<String, List<List<Double>>> got = polygons(exported, Map.of());
        assertEquals(want.keySet(), got.keySet());
        int compared = 0;
        for (String key : want.keySet()) {
            List<List<Double>> a = want.get(key);
            List<List<Double>> b = got.get(key);
            assertEquals(a.size(), b.size(), key);
            for (int p = 0; p < a.size(); p++) {
                assertEquals(a.get(p).size(), b.get(p).size(), key + " polygon " + p);
                for (int v = 0; v < a.get(p).size(); v++) {
                    // dsv stores pixels to 3 decimal places.
                    assertEquals(a.get(p).get(v), b.get(p).get(v), 0.0005, key + " polygon " + p + " value " + v);
                }
                compared++;
            }
        }
        assertEquals(15, compared, "11 annotations, one with 2 and one with 4 polygons");
    }

    /** Returns the segmentation polygons of a COCO file by image file name and defect, in a stable order. */
    private static Map<String, List<List<Double>>> polygons(JsonNode coco, Map<String, String> defectOf) {
        Map<Integer, String> categories = new HashMap<>();
        coco.path("categories").forEach(c -> categories.put(c.path("id").asInt(),
                defectOf.getOrDefault(c.path("name").asText(), c.path("name").asText())));
        Map<Integer, String> files = new HashMap<>();
        coco.path("images").forEach(i -> files.put(i.path("id").asInt(), i.path("file_name").asText()));
        Map<String, List<List<Double>>> out = new TreeMap<>();
        for (JsonNode a : coco.path("annotations")) {
            String key = files.get(a.path("image_id").asInt()) + " " + categories.get(a.path("category_id").asInt());
            for (JsonNode polygon : a.path("segmentation")) {
                List<Double> values = new ArrayList<>();
                polygon.forEach(v -> values.add(v.asDouble()));
                out.computeIfAbsent(key, k -> new ArrayList<>()).add(values);
            }
        }
        out.values().forEach(list -> list.sort(Comparator.comparing(Object::toString)));
        return out;
    }

    /**
     * Writes a grayscale JPEG of each JPEG in {@code from} under the same name into {@code to}:
     * dsv stores only grayscale EL images, and the regions depend only on the image size.
     */
    private static Path grayCopies(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> jpegs = Files.list(from)) {
            for (Path jpeg : jpegs.sorted().toList()) {
                BufferedImage colour = ImageIO.read(jpeg.toFile());
                BufferedImage gray = new BufferedImage(colour.getWidth(), colour.getHeight(),
                        BufferedImage.TYPE_BYTE_GRAY);
                gray.getGraphics().drawImage(colour, 0, 0, null);
                if (!ImageIO.write(gray, "jpeg", to.resolve(jpeg.getFileName()).toFile())) {
                    fail("no JPEG writer for " + jpeg);
                }
            }
        }
        return to;
    }

    private Map<String, JsonNode> images() {
        CliResult ls = ok("--json", "ls");
        Map<String, JsonNode> out = new TreeMap<>();
        ls.json().path("images").forEach(image -> out.put(image.path("path").asText(), image));
        return out;
    }

    /** Returns the regions of an ls image as {@code DEFECT box [x, y, w, h]} with double values. */
    private static List<String> regions(JsonNode image) {
        List<String> out = new ArrayList<>();
        for (JsonNode defect : image.path("defects")) {
            for (JsonNode region : defect.path("regions")) {
                List<Double> box = new ArrayList<>();
                region.path("box").forEach(v -> box.add(v.asDouble()));
                out.add(defect.path("type").asText() + " box " + box);
            }
        }
        return out;
    }

    private static List<String> sorted(List<String> values) {
        return values.stream().sorted().toList();
    }

    private CliResult ok(String... args) {
        CliResult r = Dsv.run(library, args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r);
        return r;
    }

    /** Runs a command in {@code dir}, its output going to a log file; returns the exit code. */
    private static int run(List<String> command, Path dir) {
        try {
            Path log = Files.createTempFile(dir, "tool", ".log");
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(command + " did not finish within 120 s; its output: " + Files.readString(log));
            }
            if (p.exitValue() != 0) {
                System.err.println(command + " exited with " + p.exitValue() + ":\n" + Files.readString(log));
            }
            return p.exitValue();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}

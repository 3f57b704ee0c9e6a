package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.testing.Images;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * dsv label import --format labelstudio|supervisely: hand-written files shaped like the tools'
 * exports for the 300 x 300 sample cells, regions and provenance as committed, and every
 * rejected input leaving the repository byte for byte as it was.
 */
class LabelImportToolsTest extends LabelImportFixture {
    /**
     * A Label Studio JSON export: an upload path with the 8-hex-digit prefix, a local-files URL,
     * a task whose result is empty, and a task without annotations.
     */
    static final String LABEL_STUDIO = """
            [
             {"id": 11, "data": {"image": "/data/upload/1/0a1b2c3d-cell0001.png"},
              "annotations": [{"id": 21, "completed_by": {"id": 1, "email": "li.wei@plant.example"},
                "was_cancelled": false, "ground_truth": false,
                "created_at": "2024-06-03T09:10:00.000000Z", "updated_at": "2024-06-03T09:12:45.123456Z",
                "lead_time": 31.2, "task": 11, "project": 1,
                "result": [
                 {"id": "r1", "type": "rectanglelabels", "from_name": "label", "to_name": "image",
                  "original_width": 300, "original_height": 300, "image_rotation": 0,
                  "value": {"x": 10, "y": 20.5, "width": 5.25, "height": 12.3333333, "rotation": 0,
                            "rectanglelabels": ["Crack"]}},
                 {"id": "r2", "type": "polygonlabels", "from_name": "poly", "to_name": "image",
                  "original_width": 300, "original_height": 300, "image_rotation": 0,
                  "value": {"points": [[10, 10], [50, 12.5], [33.33333, 80]], "closed": true,
                            "polygonlabels": ["finger"]}}]}],
              "predictions": []},
             {"id": 12, "data": {"image": "/data/local-files/?d=batch%2Fcell0003.png"},
              "annotations": [{"id": 22, "completed_by": 7, "was_cancelled": false,
                "created_at": "2024-06-04T07:00:00Z",
                "result": [
                 {"id": "r3", "type": "rectanglelabels", "original_width": 300, "original_height": 300,
                  "value": {"x": 0, "y": 90, "width": 100, "height": 10, "rotation": 0,
                            "rectanglelabels": ["Crack"]}}]}]},
             {"id": 13, "data": {"image": "/data/upload/1/9f8e7d6c-cell0004.png"},
              "annotations": [{"id": 23, "completed_by": {"id": 1, "email": "li.wei@plant.example"},
                "created_at": "2024-06-05T08:00:00Z", "updated_at": "2024-06-05T08:30:00Z", "result": []}]},
             {"id": 14, "data": {"image": "/data/upload/1/11223344-cell0005.png"}, "annotations": []}
            ]
            """;
    static final String MAPPING = "category,defect\nCrack,crack\nfinger,finger-interruption\n";


    private JsonNode label(String path) {
        return ok("--json", "show", "HEAD:" + path).json().path("label");
    }

    /** Returns the regions of one defect type as lists of numbers (a box, or the flattened polygon). */
    private static List<List<Double>> regions(JsonNode label, String type) {
        List<List<Double>> out = new ArrayList<>();
        for (JsonNode d : label.path("defects")) {
            if (!d.path("type").asText().equals(type)) {
                continue;
            }
            for (JsonNode r : d.path("regions")) {
                List<Double> values = new ArrayList<>();
                if (r.has("box")) {
                    r.path("box").forEach(v -> values.add(v.asDouble()));
                } else {
                    r.path("polygon").forEach(p -> p.forEach(v -> values.add(v.asDouble())));
                }
                out.add(values);
            }
        }
        return out;
    }

    private static List<String> types(JsonNode label) {
        List<String> out = new ArrayList<>();
        label.path("defects").forEach(d -> out.add(d.path("type").asText()));
        return out;
    }

    @Test
    void labelStudioExportImported() throws IOException {
        Path file = write("ls/project-1-at-2024-06-05.json", LABEL_STUDIO);
        ok("label", "import", "--format", "labelstudio", file.toString(), "--categories",
                write("map.csv", MAPPING).toString());
        ok("commit", "-m", "label studio");

        JsonNode first = label("batch/cell0001.png");
        assertEquals(List.of("crack", "finger-interruption"), types(first));
        assertEquals(List.of(List.of(30.0, 61.5, 15.75, 37.0)), regions(first, "crack"),
                "percent of 300 px, rounded to 3 decimals");
        assertEquals(List.of(List.of(30.0, 30.0, 150.0, 37.5, 100.0, 240.0)), regions(first, "finger-interruption"));
        assertEquals("li.wei@plant.example", first.path("labeler").asText());
        assertEquals("2024-06-03T09:12:45.123Z", first.path("labeled_at").asText());

        JsonNode third = label("batch/cell0003.png");
        assertEquals(List.of(List.of(0.0, 270.0, 300.0, 30.0)), regions(third, "crack"));
        assertEquals("7", third.path("labeler").asText(), "a numeric Label Studio user id");
        assertEquals("2024-06-04T07:00:00Z", third.path("labeled_at").asText());

        JsonNode fourth = label("batch/cell0004.png");
        assertEquals(List.of(), types(fourth), "an empty result means no defect");
        assertEquals("2024-06-05T08:30:00Z", fourth.path("labeled_at").asText());

        JsonNode fifth = label("batch/cell0005.png");
        assertEquals("anna", fifth.path("labeler").asText(), "a task without annotations leaves the label");
        assertEquals(List.of(List.of(250.25, 10.0, 49.75, 5.5)), regions(fifth, "crack"));
    }

    @Test
    void labelStudioWithoutProvenanceNeedsLabeler() throws IOException {
        String task = """
                [{"id": 1, "data": {"image": "s3://bucket/cells/cell0002.png"},
                  "annotations": [{"id": 1, "result": [
                   {"type": "rectanglelabels", "original_width": 300, "original_height": 300,
                    "value": {"x": 50, "y": 50, "width": 10, "height": 10, "rectanglelabels": ["crack"]}}]}]}]
                """;
        Path file = write("bare.json", task);
        rejected(List.of(file.toString(), "task id 1", "--labeler"), "label", "import", "--format", "labelstudio",
                file.toString());
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2024-06-01T10:15:00Z")));
        ok("label", "import", "--format", "labelstudio", file.toString(), "--labeler", "bob", "--labeled-at-from-file");
        ok("commit", "-m", "bare");
        JsonNode second = label("batch/cell0002.png");
        assertEquals("bob", second.path("labeler").asText());
        assertEquals("2024-06-01T10:15:00Z", second.path("labeled_at").asText());
        assertEquals(List.of(List.of(150.0, 150.0, 30.0, 30.0)), regions(second, "crack"));
    }

    /** Returns a one-task export for {@code image} with the given result items. */
    private static String task(String image, String results) {
        return """
                [{"id": 5, "data": {"image": "%s"},
                  "annotations": [{"id": 9, "completed_by": {"id": 2, "email": "bob@plant.example"},
                   "created_at": "2024-06-03T09:10:00Z", "result": [%s]}]}]
                """.formatted(image, results);
    }

    private static String box(String label, String x, String y, String w, String h) {
        return """
                {"id": "b1", "type": "rectanglelabels", "original_width": 300, "original_height": 300,
                 "value": {"x": %s, "y": %s, "width": %s, "height": %s, "rotation": 0, "rectanglelabels": ["%s"]}}
                """.formatted(x, y, w, h, label);
    }

    private void rejectedLabelStudio(String name, String text, String... expected) throws IOException {
        Path file = write(name, text);
        List<String> parts = new ArrayList<>(List.of(file.toString()));
        parts.addAll(List.of(expected));
        rejected(parts, "label", "import", "--format", "labelstudio", file.toString());
    }

    @Test
    void labelStudioBadInputRejected() throws IOException {
        String image = "/data/upload/1/0a1b2c3d-cell0001.png";
        rejectedLabelStudio("unknown.json", task(image, box("hairline", "1", "1", "5", "5")), "task id 5",
                "hairline", "--categories");
        rejectedLabelStudio("absent.json", task("/data/upload/1/0a1b2c3d-cell0999.png", box("crack", "1", "1", "5", "5")),
                "task id 5", "cell0999.png", "dsv add");
        rejectedLabelStudio("outside.json", task(image, box("crack", "98", "1", "5", "5")), "task id 5",
                "result b1", "outside");
        rejectedLabelStudio("polygon.json", task(image, """
                {"id": "p1", "type": "polygonlabels", "original_width": 300, "original_height": 300,
                 "value": {"points": [[1, 1], [101, 1], [50, 50]], "polygonlabels": ["crack"]}}
                """), "result p1", "101");
        rejectedLabelStudio("size.json", task(image, box("crack", "1", "1", "5", "5").replace("\"original_width\": 300",
                "\"original_width\": 640")), "result b1", "640x300", "300x300");
        rejectedLabelStudio("rotated.json", task(image, box("crack", "1", "1", "5", "5").replace("\"rotation\": 0",
                "\"rotation\": 12.5")), "result b1", "12.5");
        rejectedLabelStudio("image-rotated.json", task(image, box("crack", "1", "1", "5", "5")
                .replace("\"original_height\": 300,", "\"original_height\": 300, \"image_rotation\": 90,")),
                "result b1", "90");
        rejectedLabelStudio("choices.json", task(image, """
                {"id": "c1", "type": "choices", "value": {"choices": ["crack"]}}
                """), "result c1", "choices");
        rejectedLabelStudio("login.json", task(image, box("crack", "1", "1", "5", "5"))
                .replace("\"email\": \"bob@plant.example\"", "\"email\": \"bob smith\""), "task id 5", "bob smith");
        String twice = LABEL_STUDIO.replace("9f8e7d6c-cell0004.png", "cell0001.png");
        Path file = write("twice.json", twice);
        rejected(List.of(file.toString(), "task id 13", "batch/cell0001.png", "task id 11"), "label", "import",
                "--format", "labelstudio", file.toString(), "--categories", write("map.csv", MAPPING).toString());
        rejectedLabelStudio("malformed.json", "[\n {\"id\": 1,\n  \"data\": {\"image\": }}\n]\n", ":3:");
        String review = task(image, box("crack", "1", "1", "5", "5")).replace("\"annotations\": [{\"id\": 9,",
                "\"annotations\": [{\"id\": 8, \"result\": []}, {\"id\": 9,");
        rejectedLabelStudio("two-annotations.json", review, "task id 5", "2 annotations");
        rejectedLabelStudio("object.json", "{\"id\": 1}", "list of tasks");
    }

    @Test
    void labelStudioAmbiguousNameRejected() throws IOException {
        Path other = tmp.resolve("other");
        Files.createDirectories(other);
        Files.copy(Images.sampleImages().get(0), other.resolve("cell0001.png"));
        ok("add", other.toString(), "--cell-type", "mono", "--source", "production", "--labeler", "anna",
                "--defect", "none");
        Path file = write("ambiguous.json", task("/data/upload/1/0a1b2c3d-cell0001.png", box("crack", "1", "1", "5", "5")));
        rejected(List.of(file.toString(), "task id 5", "batch/cell0001.png", "other/cell0001.png"),
                "label", "import", "--format", "labelstudio", file.toString());
    }

    /** Writes a Supervisely annotation file for one 300 x 300 image with the given objects. */
    private Path supervisely(String relative, String objects) throws IOException {
        return write(relative, """
                {"description": "", "tags": [], "size": {"height": 300, "width": 300}, "objects": [%s]}
                """.formatted(objects));
    }

    private static String object(long id, String geometry, String classTitle, String points, String login,
                                 String updatedAt) {
        return """
                {"id": %d, "classId": 4, "description": "", "geometryType": "%s", "labelerLogin": "%s",
                 "createdAt": "2024-06-01T08:00:00.000Z", "updatedAt": "%s", "tags": [], "classTitle": "%s",
                 "points": {"exterior": %s, "interior": []}}
                """.formatted(id, geometry, login, updatedAt, classTitle, points);
    }

    @Test
    void superviselyProjectImported() throws IOException {
        Path project = tmp.resolve("sly");
        write("sly/meta.json", "{\"classes\": [], \"tags\": [], \"projectType\": \"images\"}");
        supervisely("sly/line 1/ann/cell0001.png.json", String.join(",",
                object(101, "rectangle", "Crack", "[[27.5, 57.25], [12, 30]]", "zhang.min", "2024-06-02T10:00:00.000Z"),
                object(102, "polygon", "finger", "[[100, 100], [140.5, 101], [120.0004, 160.25]]", "wang.fang",
                        "2024-06-02T11:30:00.500Z")));
        supervisely("sly/line 1/ann/cell0004.png.json", "");
        ok("label", "import", "--format", "supervisely", project.toString(), "--categories",
                write("map.csv", MAPPING).toString(), "--labeler", "bob");
        ok("commit", "-m", "supervisely");

        JsonNode first = label("batch/cell0001.png");
        assertEquals(List.of(List.of(12.0, 30.0, 15.5, 27.25)), regions(first, "crack"), "corners in either order");
        assertEquals(List.of(List.of(100.0, 100.0, 140.5, 101.0, 120.0, 160.25)), regions(first, "finger-interruption"));
        assertEquals("wang.fang", first.path("labeler").asText(), "the labeler of the latest change");
        assertEquals("2024-06-02T11:30:00.500Z", first.path("labeled_at").asText());

        JsonNode fourth = label("batch/cell0004.png");
        assertEquals(List.of(), types(fourth));
        assertEquals("bob", fourth.path("labeler").asText(), "no objects: --labeler");
        assertEquals("anna", label("batch/cell0005.png").path("labeler").asText(), "no file: unchanged");
    }

    private void rejectedSupervisely(List<String> expected, String dir) {
        rejected(expected, "label", "import", "--format", "supervisely", tmp.resolve(dir).toString());
    }

    @Test
    void superviselyBadInputRejected() throws IOException {
        String time = "2024-06-02T10:00:00.000Z";
        Path file = supervisely("s1/ann/cell0001.png.json", object(7, "rectangle", "hairline", "[[1, 1], [5, 5]]", "zhang.min", time));
        rejectedSupervisely(List.of(file.toString(), "object id 7", "hairline", "--categories"), "s1");
        file = supervisely("s2/ann/cell0999.png.json", "");
        rejectedSupervisely(List.of(file.toString(), "cell0999.png", "dsv add"), "s2");
        file = supervisely("s3/ann/cell0001.png.json", object(8, "polygon", "crack", "[[1, 1], [300.5, 1], [5, 5]]", "zhang.min", time));
        rejectedSupervisely(List.of(file.toString(), "object id 8", "300.5", "300x300"), "s3");
        file = supervisely("s4/ann/cell0001.png.json", object(9, "bitmap", "crack", "[]", "zhang.min", time));
        rejectedSupervisely(List.of(file.toString(), "object id 9", "bitmap"), "s4");
        file = supervisely("s5/ann/cell0001.png.json", object(10, "rectangle", "crack", "[[1, 1], [5, 5]]", "zhang min", time));
        rejectedSupervisely(List.of(file.toString(), "zhang min"), "s5");
        supervisely("s6/a/ann/cell0001.png.json", "");
        file = supervisely("s6/b/ann/cell0001.png.json", "");
        rejectedSupervisely(List.of(file.toString(), "batch/cell0001.png"), "s6");
        file = write("s7/ann/cell0001.png.json", "{\"size\": {\"height\": 300, \"width\": 300},\n \"objects\": [,]}\n");
        rejectedSupervisely(List.of(file + ":2:"), "s7");
        file = write("s8/ann/cell0001.png.json", "{\"size\": {\"height\": 200, \"width\": 300}, \"objects\": []}");
        rejectedSupervisely(List.of(file.toString(), "300x200"), "s8");
        file = supervisely("s10/ann/cell0001.png.json", object(12, "polygon", "crack", "[[1, 1], [50, 1], [25, 40]]",
                "zhang.min", time).replace("\"interior\": []", "\"interior\": [[[20, 5], [30, 5], [25, 10]]]"));
        rejectedSupervisely(List.of(file.toString(), "object id 12", "points.interior"), "s10");
        file = supervisely("s9/ann/cell0001.png.json", "");
        rejectedSupervisely(List.of(file.toString(), "--labeler"), "s9");
    }
}

package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Round trips of the six annotation formats: a hand-written file shaped like the tool's own
 * export is imported and committed, exported in the same format, and the regions of the
 * exported file are compared with the input in the format's own units and precision. The export
 * is then imported into a fresh repository, whose label records must equal the first one's.
 */
class AnnotationRoundTripTest extends LabelImportFixture {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String LABELER = "chen.jing";
    static final String LABELED_AT = "2024-06-07T06:45:00Z";

    /** One region as a file states it, in the file's units: a box, polygon or tag (no values). */
    record Shape(String label, String kind, List<Double> values) {
        String sortKey() {
            StringBuilder sb = new StringBuilder(label + "/" + kind);
            values.forEach(v -> sb.append('/').append(Math.round(v)));
            return sb.toString();
        }
    }

    // ---------------------------------------------------------------- COCO

    static final String COCO = """
            {"licenses":[{"name":"","id":0,"url":""}],
             "info":{"contributor":"","date_created":"","description":"","url":"","version":"","year":""},
             "categories":[{"id":1,"name":"crack","supercategory":""},{"id":2,"name":"finger-interruption","supercategory":""},
                           {"id":3,"name":"microcrack","supercategory":""}],
             "images":[
              {"id":1,"width":300,"height":300,"file_name":"batch/cell0001.png","license":0,"flickr_url":"","coco_url":"","date_captured":0},
              {"id":2,"width":300,"height":300,"file_name":"batch/cell0002.png","license":0,"flickr_url":"","coco_url":"","date_captured":0},
              {"id":3,"width":300,"height":300,"file_name":"batch/cell0003.png","license":0,"flickr_url":"","coco_url":"","date_captured":0},
              {"id":4,"width":300,"height":300,"file_name":"batch/cell0004.png","license":0,"flickr_url":"","coco_url":"","date_captured":0},
              {"id":5,"width":300,"height":300,"file_name":"batch/cell0005.png","license":0,"flickr_url":"","coco_url":"","date_captured":0},
              {"id":6,"width":300,"height":300,"file_name":"batch/cell0006.png","license":0,"flickr_url":"","coco_url":"","date_captured":0}],
             "annotations":[
              {"id":1,"image_id":1,"category_id":1,"segmentation":[],"area":412.5,"bbox":[12.25,30.5,15.0,27.5],"iscrowd":0,
               "attributes":{"occluded":false}},
              {"id":2,"image_id":1,"category_id":2,"segmentation":[[100.0,100.0,140.5,101.0,120.0,160.25,98.5,130.0]],
               "area":1999.5,"bbox":[98.5,100.0,42.0,60.25],"iscrowd":0,"attributes":{"occluded":false}},
              {"id":3,"image_id":2,"category_id":3,"segmentation":[[5.0,5.0,60.75,8.0,40.0,90.5]],"area":2400.0,
               "bbox":[5.0,5.0,55.75,85.5],"iscrowd":0,"attributes":{"occluded":false}},
              {"id":4,"image_id":4,"category_id":1,"segmentation":[],"area":50.0,"bbox":[0.0,290.0,5.0,10.0],"iscrowd":0,
               "attributes":{"occluded":false}},
              {"id":5,"image_id":5,"category_id":1,"segmentation":[],"area":1997.5,"bbox":[200.125,10.5,99.875,20.0],
               "iscrowd":0,"attributes":{"occluded":false}},
              {"id":6,"image_id":6,"category_id":2,"segmentation":[],"area":4.0,"bbox":[1.0,1.0,2.0,2.0],"iscrowd":0,
               "attributes":{"occluded":false}},
              {"id":7,"image_id":6,"category_id":1,"segmentation":[],"area":930.25,"bbox":[150.0,150.0,30.5,30.5],
               "iscrowd":0,"attributes":{"occluded":false}}]}
            """;

    static Map<String, List<Shape>> readCoco(Path file) throws IOException {
        JsonNode root = JSON.readTree(file.toFile());
        Map<Integer, String> categories = new TreeMap<>();
        root.path("categories").forEach(c -> categories.put(c.path("id").asInt(), c.path("name").asText()));
        Map<Integer, String> images = new TreeMap<>();
        Map<String, List<Shape>> shapes = new TreeMap<>();
        for (JsonNode image : root.path("images")) {
            String key = stem(image.path("file_name").asText());
            images.put(image.path("id").asInt(), key);
            shapes.put(key, new ArrayList<>());
        }
        for (JsonNode a : root.path("annotations")) {
            String label = categories.get(a.path("category_id").asInt());
            JsonNode segmentation = a.path("segmentation");
            boolean polygon = segmentation.isArray() && !segmentation.isEmpty();
            shapes.get(images.get(a.path("image_id").asInt())).add(new Shape(label, polygon ? "polygon" : "box",
                    numbers(polygon ? segmentation.get(0) : a.path("bbox"))));
        }
        return shapes;
    }

    @Test
    void cocoRoundTrip() throws Exception {
        Path input = write("coco/instances_default.json", COCO);
        importAndExport("coco", input, List.of("--labeler", LABELER, "--labeled-at", LABELED_AT));
        Path out = tmp.resolve("out-coco");
        assertSameShapes(readCoco(input), readCoco(out.resolve("annotations.json")), 0.0005);
        // dsv's COCO export carries labeler and time in each image's dsv object.
        assertSameRecordsInFreshRepository("coco", out.resolve("annotations.json"), List.of());
    }

    // ---------------------------------------------------------------- YOLO

    static final String YOLO_NAMES = "crack\nfinger-interruption\nmicrocrack\n";

    static Map<String, List<Shape>> readYolo(Path dir, Path namesFile) throws IOException {
        List<String> names = Files.readAllLines(namesFile);
        Map<String, List<Shape>> shapes = new TreeMap<>();
        for (Path file : files(dir, ".txt")) {
            if (file.equals(namesFile)) {
                continue;
            }
            List<Shape> list = new ArrayList<>();
            for (String line : Files.readAllLines(file)) {
                if (line.isBlank()) {
                    continue;
                }
                String[] tokens = line.strip().split("\\s+");
                List<Double> values = new ArrayList<>();
                for (int i = 1; i < tokens.length; i++) {
                    values.add(Double.parseDouble(tokens[i]));
                }
                list.add(new Shape(names.get(Integer.parseInt(tokens[0])), values.size() == 4 ? "box" : "polygon", values));
            }
            shapes.put(stem(file.getFileName().toString()), list);
        }
        return shapes;
    }

    @Test
    void yoloRoundTrip() throws Exception {
        Path names = write("yolo-names.txt", YOLO_NAMES);
        write("yolo/batch/cell0001.txt", "0 0.090833 0.145833 0.050000 0.091667\n"
                + "1 0.333333 0.333333 0.468333 0.336667 0.400000 0.534167 0.328333 0.433333\n");
        write("yolo/batch/cell0002.txt", "2 0.5 0.5 0.2 0.1\n");
        write("yolo/batch/cell0003.txt", "");
        write("yolo/batch/cell0004.txt", "0 0.008333 0.983333 0.016667 0.033333\n");
        write("yolo/batch/cell0005.txt", "1 0.1 0.2 0.3 0.4 0.5 0.6\n");
        write("yolo/batch/cell0006.txt", "2 0.75 0.25 0.1 0.1\n0 0.123457 0.876543 0.012346 0.02\n");
        Path input = tmp.resolve("yolo");
        importAndExport("yolo", input, List.of("--names", names.toString(), "--labeler", LABELER, "--labeled-at",
                LABELED_AT));
        Path out = tmp.resolve("out-yolo");
        Path exportedNames = out.resolve("classes.txt");
        // Pixels are stored to 3 places: 0.0005 px of 300 px is 1.7e-6, plus the 6-place rounding.
        assertSameShapes(readYolo(input, names), readYolo(out.resolve("labels"), exportedNames), 0.000003);
        assertSameRecordsInFreshRepository("yolo", out, List.of("--names", exportedNames.toString(), "--labeler",
                LABELER, "--labeled-at", LABELED_AT));
    }

    // ---------------------------------------------------------------- Pascal VOC

    private static String voc(String filename, String objects) {
        return """
                <annotation>
                  <folder>JPEGImages</folder>
                  <filename>%s</filename>
                  <source><database>Unknown</database></source>
                  <size><width>300</width><height>300</height><depth>1</depth></size>
                  <segmented>0</segmented>
                %s</annotation>
                """.formatted(filename, objects);
    }

    private static String vocBox(String name, int xmin, int ymin, int xmax, int ymax) {
        return """
                  <object>
                    <name>%s</name><pose>Unspecified</pose><truncated>0</truncated><difficult>0</difficult>
                    <bndbox><xmin>%d</xmin><ymin>%d</ymin><xmax>%d</xmax><ymax>%d</ymax></bndbox>
                  </object>
                """.formatted(name, xmin, ymin, xmax, ymax);
    }

    static Map<String, List<Shape>> readVoc(Path dir) throws Exception {
        Map<String, List<Shape>> shapes = new TreeMap<>();
        for (Path file : files(dir, ".xml")) {
            Element root = parseXml(file).getDocumentElement();
            List<Shape> list = new ArrayList<>();
            for (Element object : children(root, "object")) {
                String name = text(object, "name");
                List<Element> polygon = children(object, "polygon");
                if (!polygon.isEmpty()) {
                    List<Double> values = new ArrayList<>();
                    for (int i = 1; !children(polygon.get(0), "x" + i).isEmpty(); i++) {
                        values.add(Double.parseDouble(text(polygon.get(0), "x" + i)));
                        values.add(Double.parseDouble(text(polygon.get(0), "y" + i)));
                    }
                    list.add(new Shape(name, "polygon", values));
                } else {
                    Element box = children(object, "bndbox").get(0);
                    list.add(new Shape(name, "box", List.of(Double.parseDouble(text(box, "xmin")),
                            Double.parseDouble(text(box, "ymin")), Double.parseDouble(text(box, "xmax")),
                            Double.parseDouble(text(box, "ymax")))));
                }
            }
            shapes.put(stem(text(root, "filename")), list);
        }
        return shapes;
    }

    @Test
    void vocRoundTrip() throws Exception {
        String polygon = """
                  <object>
                    <name>finger-interruption</name>
                    <bndbox><xmin>101</xmin><ymin>101</ymin><xmax>141</xmax><ymax>161</ymax></bndbox>
                    <polygon><x1>101</x1><y1>101</y1><x2>141.5</x2><y2>102</y2><x3>121</x3><y3>161.25</y3></polygon>
                  </object>
                """;
        write("voc/batch/cell0001.xml", voc("cell0001.png", vocBox("crack", 13, 31, 27, 58) + polygon));
        write("voc/batch/cell0002.xml", voc("cell0002.png", vocBox("microcrack", 1, 1, 300, 300)));
        write("voc/batch/cell0003.xml", voc("cell0003.png", ""));
        write("voc/batch/cell0004.xml", voc("cell0004.png", vocBox("crack", 291, 281, 300, 300)));
        write("voc/batch/cell0005.xml", voc("cell0005.png", vocBox("finger-interruption", 50, 60, 50, 60)));
        write("voc/batch/cell0006.xml", voc("cell0006.png", vocBox("crack", 100, 100, 120, 110)
                + vocBox("microcrack", 10, 10, 20, 20)));
        Path input = tmp.resolve("voc");
        List<String> provenance = List.of("--labeler", LABELER, "--labeled-at", LABELED_AT);
        importAndExport("voc", input, provenance);
        Path out = tmp.resolve("out-voc");
        assertTrue(Files.isRegularFile(out.resolve("batch/cell0001.xml")), "XML beside the image");
        assertTrue(Files.isRegularFile(out.resolve("batch/cell0001.png")));
        assertSameShapes(readVoc(input), readVoc(out), 0);
        assertSameRecordsInFreshRepository("voc", out, provenance);
    }

    // ---------------------------------------------------------------- CVAT for images 1.1

    static final String CVAT = """
            <?xml version="1.0" encoding="utf-8"?>
            <annotations>
              <version>1.1</version>
              <meta>
                <task>
                  <id>12</id>
                  <name>EL batch 7</name>
                  <size>6</size>
                  <mode>annotation</mode>
                  <labels>
                    <label><name>crack</name><color>#fa3253</color><type>any</type><attributes></attributes></label>
                    <label><name>finger-interruption</name><color>#33ddff</color><type>any</type><attributes></attributes></label>
                    <label><name>microcrack</name><color>#b83df5</color><type>any</type><attributes></attributes></label>
                  </labels>
                </task>
                <dumped>2024-06-04 10:12:55.103519+00:00</dumped>
              </meta>
              <image id="0" name="batch/cell0001.png" width="300" height="300">
                <box label="crack" source="manual" occluded="0" xtl="12.25" ytl="30.50" xbr="27.25" ybr="58.00" z_order="0">
                </box>
                <polygon label="finger-interruption" source="manual" occluded="0" points="100.00,100.00;140.50,101.00;120.00,160.25;98.50,130.00" z_order="0">
                </polygon>
              </image>
              <image id="1" name="batch/cell0002.png" width="300" height="300">
                <tag label="microcrack" source="manual">
                </tag>
              </image>
              <image id="2" name="batch/cell0003.png" width="300" height="300">
              </image>
              <image id="3" name="batch/cell0004.png" width="300" height="300">
                <box label="crack" source="manual" occluded="0" xtl="0.00" ytl="290.00" xbr="5.00" ybr="300.00" z_order="0">
                </box>
              </image>
              <image id="4" name="batch/cell0005.png" width="300" height="300">
                <polygon label="microcrack" source="manual" occluded="1" points="10.12,20.34;200.56,25.78;150.90,299.99" z_order="0">
                </polygon>
              </image>
              <image id="5" name="batch/cell0006.png" width="300" height="300">
                <box label="finger-interruption" source="manual" occluded="0" xtl="1.00" ytl="1.00" xbr="3.00" ybr="3.00" z_order="0">
                </box>
                <box label="crack" source="manual" occluded="0" xtl="150.00" ytl="150.00" xbr="180.50" ybr="180.50" z_order="0">
                </box>
              </image>
            </annotations>
            """;

    static Map<String, List<Shape>> readCvat(Path file) throws Exception {
        Map<String, List<Shape>> shapes = new TreeMap<>();
        for (Element image : children(parseXml(file).getDocumentElement(), "image")) {
            List<Shape> list = new ArrayList<>();
            for (Element shape : children(image, null)) {
                String label = shape.getAttribute("label");
                switch (shape.getTagName()) {
                    case "box" -> list.add(new Shape(label, "box", List.of(
                            Double.parseDouble(shape.getAttribute("xtl")), Double.parseDouble(shape.getAttribute("ytl")),
                            Double.parseDouble(shape.getAttribute("xbr")), Double.parseDouble(shape.getAttribute("ybr")))));
                    case "polygon" -> {
                        List<Double> values = new ArrayList<>();
                        for (String point : shape.getAttribute("points").split(";")) {
                            String[] xy = point.split(",");
                            values.add(Double.parseDouble(xy[0]));
                            values.add(Double.parseDouble(xy[1]));
                        }
                        list.add(new Shape(label, "polygon", values));
                    }
                    case "tag" -> list.add(new Shape(label, "tag", List.of()));
                    default -> throw new AssertionError("unexpected element " + shape.getTagName());
                }
            }
            shapes.put(stem(image.getAttribute("name")), list);
        }
        return shapes;
    }

    @Test
    void cvatRoundTrip() throws Exception {
        Path input = write("cvat/annotations.xml", CVAT);
        List<String> provenance = List.of("--labeler", LABELER, "--labeled-at", LABELED_AT);
        importAndExport("cvat", input, provenance);
        Path out = tmp.resolve("out-cvat");
        assertSameShapes(readCvat(input), readCvat(out.resolve("annotations.xml")), 1e-9);
        assertSameRecordsInFreshRepository("cvat", out.resolve("annotations.xml"), provenance);
    }

    // ---------------------------------------------------------------- Label Studio

    private static String lsTask(int id, String image, String completedBy, String updatedAt, String results) {
        return """
                {"id": %d, "data": {"image": "%s"}, "predictions": [], "meta": {}, "project": 3,
                 "annotations": [{"id": %d, "completed_by": %s, "was_cancelled": false, "ground_truth": false,
                   "created_at": "2024-06-05T08:00:00.000000Z", "updated_at": "%s", "lead_time": 81.5,
                   "result": [%s]}]}
                """.formatted(id, image, id + 1000, completedBy, updatedAt, results);
    }

    private static String lsBox(String id, String label, String x, String y, String w, String h) {
        return """
                {"id": "%s", "type": "rectanglelabels", "from_name": "label", "to_name": "image", "origin": "manual",
                 "original_width": 300, "original_height": 300, "image_rotation": 0,
                 "value": {"x": %s, "y": %s, "width": %s, "height": %s, "rotation": 0, "rectanglelabels": ["%s"]}}
                """.formatted(id, x, y, w, h, label);
    }

    private static String lsPolygon(String id, String label, String points) {
        return """
                {"id": "%s", "type": "polygonlabels", "from_name": "label", "to_name": "image", "origin": "manual",
                 "original_width": 300, "original_height": 300, "image_rotation": 0,
                 "value": {"points": %s, "closed": true, "polygonlabels": ["%s"]}}
                """.formatted(id, points, label);
    }

    static Map<String, List<Shape>> readLabelStudio(Path file) throws IOException {
        Map<String, List<Shape>> shapes = new TreeMap<>();
        for (JsonNode task : JSON.readTree(file.toFile())) {
            String image = task.path("data").path("image").asText();
            String name = image.contains("?d=") ? image.substring(image.indexOf("?d=") + 3) : image;
            name = name.substring(name.lastIndexOf('/') + 1).replaceFirst("^[0-9a-f]{8}-", "");
            List<Shape> list = new ArrayList<>();
            for (JsonNode result : task.path("annotations").get(0).path("result")) {
                JsonNode value = result.path("value");
                if (result.path("type").asText().equals("rectanglelabels")) {
                    list.add(new Shape(value.path("rectanglelabels").get(0).asText(), "box", List.of(
                            value.path("x").asDouble(), value.path("y").asDouble(), value.path("width").asDouble(),
                            value.path("height").asDouble())));
                } else {
                    List<Double> values = new ArrayList<>();
                    value.path("points").forEach(p -> values.addAll(numbers(p)));
                    list.add(new Shape(value.path("polygonlabels").get(0).asText(), "polygon", values));
                }
            }
            shapes.put(stem(name), list);
        }
        return shapes;
    }

    @Test
    void labelStudioRoundTrip() throws Exception {
        String tasks = "[" + String.join(",",
                lsTask(101, "/data/upload/3/8c1f2a3b-cell0001.png", "4", "2024-06-05T08:14:02.654321Z", String.join(",",
                        lsBox("Xk3b9", "crack", "4.0833333333333", "10.166666666667", "5", "9.1666666666667"),
                        lsPolygon("p0Lq1", "finger-interruption", "[[33.333333333333, 33.333333333333],"
                                + " [46.833333333333, 33.666666666667], [40, 53.416666666667]]"))),
                lsTask(102, "/data/upload/3/0d9e77aa-cell0002.png", "4", "2024-06-05T08:15:10.000000Z",
                        lsBox("Mn2c7", "microcrack", "0", "0", "100", "100")),
                lsTask(103, "/data/upload/3/4b0c1d2e-cell0003.png", "4", "2024-06-05T08:16:00.000000Z", ""),
                lsTask(104, "/data/upload/3/9a8b7c6d-cell0004.png", "7", "2024-06-05T09:01:30.250000Z",
                        lsBox("Qa1z2", "crack", "0", "96.666666666667", "1.6666666666667", "3.3333333333333")),
                lsTask(105, "/data/upload/3/1f2e3d4c-cell0005.png", "7", "2024-06-05T09:02:00.000000Z",
                        lsPolygon("Rr5t6", "microcrack", "[[12.345678, 23.456789], [87.654321, 34.567891],"
                                + " [55.555555, 99.999999]]")),
                lsTask(106, "/data/upload/3/5e6f7a8b-cell0006.png", "7", "2024-06-05T09:03:00.000000Z", String.join(",",
                        lsBox("Ty7u8", "finger-interruption", "0.33333333333333", "0.33333333333333",
                                "0.66666666666667", "0.66666666666667"),
                        lsBox("Ui9o0", "crack", "50", "50", "10.166666666667", "10.166666666667"))))
                + "]";
        Path input = write("ls/project-3-at-2024-06-05-09-10-1a2b3c4d.json", tasks);
        importAndExport("labelstudio", input, List.of());
        Path out = tmp.resolve("out-labelstudio");
        assertEquals("4", label("batch/cell0001.png").path("labeler").asText(), "completed_by kept");
        // Pixels are stored to 3 places: 0.0005 px of 300 px is 1.7e-4 percent.
        assertSameShapes(readLabelStudio(input), readLabelStudio(out.resolve("tasks.json")), 0.0005 * 100 / 300);
        assertSameRecordsInFreshRepository("labelstudio", out.resolve("tasks.json"), List.of());
    }

    // ---------------------------------------------------------------- Supervisely

    private static String slyObject(int id, String geometry, String classTitle, String exterior, String login,
                                    String time) {
        return """
                {"id": %d, "classId": 7001, "description": "", "geometryType": "%s", "labelerLogin": "%s",
                 "createdAt": "%s", "updatedAt": "%s", "tags": [], "classTitle": "%s",
                 "points": {"exterior": %s, "interior": []}}
                """.formatted(id, geometry, login, time, time, classTitle, exterior);
    }

    private void supervisely(String name, String objects) throws IOException {
        write("sly/line 2/ann/" + name + ".json", """
                {"description": "", "tags": [], "size": {"height": 300, "width": 300}, "objects": [%s]}
                """.formatted(objects));
    }

    static Map<String, List<Shape>> readSupervisely(Path dir) throws IOException {
        Map<String, List<Shape>> shapes = new TreeMap<>();
        for (Path file : files(dir, ".json")) {
            if (!file.getParent().getFileName().toString().equals("ann")) {
                continue;
            }
            List<Shape> list = new ArrayList<>();
            for (JsonNode object : JSON.readTree(file.toFile()).path("objects")) {
                List<Double> values = new ArrayList<>();
                object.path("points").path("exterior").forEach(p -> values.addAll(numbers(p)));
                list.add(new Shape(object.path("classTitle").asText(), object.path("geometryType").asText(), values));
            }
            String name = file.getFileName().toString();
            shapes.put(stem(name.substring(0, name.length() - ".json".length())), list);
        }
        return shapes;
    }

    @Test
    void superviselyRoundTrip() throws Exception {
        write("sly/meta.json", "{\"classes\": [], \"tags\": [], \"projectType\": \"images\"}");
        supervisely("cell0001.png", String.join(",",
                slyObject(9001, "rectangle", "crack", "[[12, 30], [27, 58]]", "zhang.min", "2024-06-02T10:00:00.000Z"),
                slyObject(9002, "polygon", "finger-interruption", "[[100, 100], [141, 101], [120, 160], [98, 130]]",
                        "zhang.min", "2024-06-02T10:01:00.000Z")));
        supervisely("cell0002.png", slyObject(9003, "polygon", "microcrack", "[[5, 5], [61, 8], [40, 91]]", "wang.fang",
                "2024-06-02T11:00:00.000Z"));
        supervisely("cell0003.png", "");
        supervisely("cell0004.png", slyObject(9004, "rectangle", "crack", "[[0, 290], [5, 300]]", "wang.fang",
                "2024-06-02T11:05:00.000Z"));
        supervisely("cell0005.png", slyObject(9005, "rectangle", "crack", "[[200, 10], [300, 31]]", "wang.fang",
                "2024-06-02T11:06:00.000Z"));
        supervisely("cell0006.png", String.join(",",
                slyObject(9006, "rectangle", "finger-interruption", "[[1, 1], [3, 3]]", "zhang.min",
                        "2024-06-02T12:00:00.000Z"),
                slyObject(9007, "rectangle", "crack", "[[150, 150], [181, 181]]", "zhang.min",
                        "2024-06-02T12:00:00.000Z")));
        Path input = tmp.resolve("sly");
        // An image without objects carries no labeler or time, so both imports name them.
        List<String> fallback = List.of("--labeler", LABELER, "--labeled-at", LABELED_AT);
        importAndExport("supervisely", input, fallback);
        Path out = tmp.resolve("out-supervisely");
        assertTrue(Files.isRegularFile(out.resolve("batch/img/cell0001.png")), "image in its dataset's img folder");
        assertTrue(Files.isRegularFile(out.resolve("meta.json")));
        assertEquals("wang.fang", label("batch/cell0002.png").path("labeler").asText(), "labelerLogin kept");
        assertSameShapes(readSupervisely(input), readSupervisely(out), 1e-9);
        assertSameRecordsInFreshRepository("supervisely", out, fallback);
    }

    // ---------------------------------------------------------------- the four new exports

    @Test
    void newFormatsSameBytesAndVerified() throws IOException {
        for (String format : List.of("voc", "cvat", "labelstudio", "supervisely")) {
            Path a = tmp.resolve(format + "-a");
            Path b = tmp.resolve(format + "-b");
            ok("export", "--format", format, "--out", a.toString());
            ok("export", "--format", format, "--out", b.toString());
            List<Path> filesA = files(a, "");
            assertEquals(filesA.stream().map(a::relativize).toList(), files(b, "").stream().map(b::relativize).toList(),
                    format);
            for (Path file : filesA) {
                assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(b.resolve(a.relativize(file))),
                        format + ": " + a.relativize(file));
            }
            JsonNode meta = JSON.readTree(a.resolve("dsv-export.json").toFile());
            assertEquals(format, meta.path("format").asText());
            assertEquals(head(), meta.path("commit").asText());

            CliResult verify = ok("--json", "export", "--verify", a.toString());
            assertTrue(verify.json().path("ok").asBoolean(), verify.toString());
            Path annotation = a.resolve(switch (format) {
                case "voc" -> "batch/cell0002.xml";
                case "cvat" -> "annotations.xml";
                case "labelstudio" -> "tasks.json";
                default -> "batch/ann/cell0002.png.json";
            });
            Files.writeString(annotation, Files.readString(annotation).replace("finger-interruption", "crack"));
            CliResult edited = Dsv.run(library, "--json", "export", "--verify", a.toString());
            assertEquals(1, edited.exitCode(), edited.toString());
            assertEquals(a.relativize(annotation).toString(), edited.json().path("modified").get(0).asText(), format);
        }
    }

    @Test
    void newFormatsSyncAfterRelabel() throws IOException {
        List<String> formats = List.of("voc", "cvat", "labelstudio", "supervisely");
        for (String format : formats) {
            ok("export", "--format", format, "--out", tmp.resolve("sync-" + format).toString());
        }
        ok("label", "set", "batch/cell0002.png", "--defect", "none", "--labeler", "qa");
        ok("mv", "batch/cell0003.png", "moved/cell0003.png");
        ok("commit", "-m", "relabel and move");
        for (String format : formats) {
            Path synced = tmp.resolve("sync-" + format);
            Path fresh = tmp.resolve("fresh-export-" + format);
            ok("export", "--format", format, "--sync", "--out", synced.toString());
            ok("export", "--format", format, "--out", fresh.toString());
            List<Path> freshFiles = files(fresh, "");
            assertEquals(freshFiles.stream().map(fresh::relativize).toList(),
                    files(synced, "").stream().map(synced::relativize).toList(), format + ": same files");
            for (Path file : freshFiles) {
                if (!file.getFileName().toString().equals("dsv-export.json")) {
                    assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(synced.resolve(fresh.relativize(file))),
                            format + ": " + fresh.relativize(file));
                }
            }
            CliResult verify = ok("--json", "export", "--verify", synced.toString());
            assertTrue(verify.json().path("ok").asBoolean(), verify.toString());
        }
    }

    @Test
    void superviselyNameClashRejected() {
        ok("mv", "batch/cell0001.png", "cell0001.png");
        ok("mv", "batch/cell0002.png", "ds/cell0001.png");
        ok("commit", "-m", "clash");
        CliResult r = Dsv.run(library, "export", "--format", "supervisely", "--out", tmp.resolve("s").toString());
        assertEquals(3, r.exitCode(), r.toString());
        assertTrue(r.err().contains("ds/img/cell0001.png"), r.toString());
        assertFalse(Files.exists(tmp.resolve("s")), "nothing written");
    }

    @Test
    void regionlessDefectReimportRejected() throws Exception {
        Path out = tmp.resolve("out-regionless");
        ok("export", "--format", "coco", "--out", out.toString());
        Map<String, JsonNode> before = labels(library);
        var snapshot = dev.dsv.testing.RepoSnapshot.of(library);
        assertEquals("microcrack", before.get("batch/cell0006.png").path("defects").get(0).path("type").asText());

        CliResult rejected = Dsv.run(library, "label", "import", "--format", "coco",
                out.resolve("annotations.json").toString());
        assertEquals(3, rejected.exitCode(), rejected.toString());
        assertTrue(rejected.err().contains("batch/cell0006.png"), rejected.toString());
        assertTrue(rejected.err().contains("microcrack"), rejected.toString());
        assertTrue(rejected.err().contains("--replace-unannotated"), rejected.toString());
        assertEquals(snapshot, dev.dsv.testing.RepoSnapshot.of(library), "repository changed by a rejected import");

        CliResult replaced = ok("label", "import", "--format", "coco", "--replace-unannotated",
                out.resolve("annotations.json").toString());
        assertTrue(replaced.out().contains("Staged 1 "), replaced.toString());
        ok("commit", "-m", "cleared");
        Map<String, JsonNode> after = labels(library);
        assertEquals(0, after.get("batch/cell0006.png").path("defects").size(), after.toString());
        assertEquals(before.get("batch/cell0001.png").path("defects"), after.get("batch/cell0001.png").path("defects"));
    }

    @Test
    void replaceUnannotatedNotForCsv() throws IOException {
        Path csv = write("labels.csv", "dataset_path,defects\nbatch/cell0003.png,crack\n");
        CliResult r = Dsv.run(library, "label", "import", csv.toString(), "--replace-unannotated");
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("--replace-unannotated does not apply to --format csv"), r.toString());
    }

    @Test
    void exportWarnsOfRegionlessDefects() throws IOException {
        for (String format : List.of("coco", "yolo", "voc", "labelstudio", "supervisely")) {
            Path out = tmp.resolve("warn-" + format);
            CliResult r = ok("export", "--format", format, "--out", out.toString());
            assertTrue(r.err().contains("warning: 1 images"), format + "\n" + r);
            assertTrue(r.err().contains("batch/cell0006.png"), format + "\n" + r);
            JsonNode meta = JSON.readTree(out.resolve("dsv-export.json").toFile());
            assertEquals(1, meta.path("regionless_defects_dropped").asInt(), format + " " + meta);
        }
        CliResult json = ok("--json", "export", "--format", "coco", "--out", tmp.resolve("warn-json").toString());
        assertEquals(1, json.json().path("regionless_defects_dropped").asInt(), json.toString());
        assertTrue(json.err().contains("batch/cell0006.png"), json.toString());

        CliResult cvat = ok("--json", "export", "--format", "cvat", "--out", tmp.resolve("warn-cvat").toString());
        assertEquals(0, cvat.json().path("regionless_defects_dropped").asInt(), cvat.toString());
        assertFalse(cvat.err().contains("warning"), cvat.toString());
    }

    // ---------------------------------------------------------------- shared steps

    /** Imports {@code input}, commits, and exports the commit in the same format to {@code out-FORMAT}. */
    private void importAndExport(String format, Path input, List<String> options) {
        List<String> args = new ArrayList<>(List.of("label", "import", "--format", format, input.toString()));
        args.addAll(options);
        ok(args.toArray(String[]::new));
        ok("commit", "-m", "import " + format);
        ok("export", "--format", format, "--out", tmp.resolve("out-" + format).toString());
    }

    /**
     * Imports the export into a new repository holding the same images (with the sample labels,
     * which the import replaces) and checks that every image's label record equals the first
     * repository's: defects with regions, labeler, labeled-at time, confidence and guideline.
     */
    private void assertSameRecordsInFreshRepository(String format, Path exported, List<String> options)
            throws IOException {
        Path fresh = tmp.resolve("fresh-" + format);
        assertEquals(0, Dsv.run(tmp, "init", fresh.getFileName().toString()).exitCode());
        assertEquals(0, Dsv.run(fresh, "switch", "-c", "work").exitCode());
        TrainingExportTest.addSample(fresh, tmp.resolve("in-fresh-" + format));
        assertEquals(0, Dsv.run(fresh, "commit", "-m", "sample").exitCode());
        List<String> args = new ArrayList<>(List.of("label", "import", "--format", format, exported.toString()));
        args.addAll(options);
        CliResult imported = Dsv.run(fresh, args.toArray(String[]::new));
        assertEquals(0, imported.exitCode(), imported.toString());
        assertEquals(0, Dsv.run(fresh, "commit", "-m", "re-imported").exitCode());

        Map<String, JsonNode> expected = labels(library);
        Map<String, JsonNode> actual = labels(fresh);
        assertEquals(expected.keySet(), actual.keySet());
        for (String path : expected.keySet()) {
            for (String field : List.of("defects", "labeler", "labeled_at", "confidence", "guideline")) {
                assertEquals(expected.get(path).path(field), actual.get(path).path(field), path + " " + field);
            }
        }
    }

    private static Map<String, JsonNode> labels(Path repository) {
        CliResult ls = Dsv.run(repository, "--json", "ls");
        assertEquals(0, ls.exitCode(), ls.toString());
        Map<String, JsonNode> out = new TreeMap<>();
        ls.json().path("images").forEach(image -> out.put(image.path("path").asText(), image));
        return out;
    }

    private JsonNode label(String path) {
        return labels(library).get(path);
    }

    private String head() {
        return ok("--json", "log", "-n", "1").json().path("commits").get(0).path("id").asText();
    }

    /**
     * Checks that both files name the same images and, per image, the same regions: same label
     * and kind, and every value within {@code tolerance} in the format's units.
     */
    private static void assertSameShapes(Map<String, List<Shape>> expected, Map<String, List<Shape>> actual,
                                         double tolerance) {
        assertEquals(expected.keySet(), actual.keySet(), "images");
        for (String image : expected.keySet()) {
            List<Shape> want = sorted(expected.get(image));
            List<Shape> got = sorted(actual.get(image));
            assertEquals(want.size(), got.size(), image + ": " + want + " vs " + got);
            for (int i = 0; i < want.size(); i++) {
                String where = image + " region " + i + ": " + want.get(i) + " vs " + got.get(i);
                assertEquals(want.get(i).label(), got.get(i).label(), where);
                assertEquals(want.get(i).kind(), got.get(i).kind(), where);
                assertEquals(want.get(i).values().size(), got.get(i).values().size(), where);
                for (int k = 0; k < want.get(i).values().size(); k++) {
                    assertEquals(want.get(i).values().get(k), got.get(i).values().get(k), tolerance, where);
                }
            }
        }
    }

    private static List<Shape> sorted(List<Shape> shapes) {
        return shapes.stream().sorted(Comparator.comparing(Shape::sortKey)).toList();
    }

    private static String stem(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    private static List<Double> numbers(JsonNode array) {
        List<Double> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asDouble()));
        return out;
    }

    private static List<Path> files(Path dir, String suffix) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(f -> Files.isRegularFile(f) && f.getFileName().toString().endsWith(suffix))
                    .sorted().toList();
        }
    }

    private static Document parseXml(Path file) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(file.toFile());
    }

    /** Returns the child elements of {@code parent} with the tag {@code name}, or all of them for null. */
    private static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && (name == null || e.getTagName().equals(name))) {
                out.add(e);
            }
        }
        return out;
    }

    private static String text(Element parent, String name) {
        return children(parent, name).get(0).getTextContent().strip();
    }
}

package dev.dsv.cli;

import static dev.dsv.cli.LabelImportFormatsTest.annotationsOf;
import static dev.dsv.cli.LabelImportFormatsTest.categoryOf;
import static dev.dsv.cli.LabelImportFormatsTest.numbers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * dsv label import --format voc|cvat: hand-written Pascal VOC and CVAT XML files on the six
 * 300 x 300 sample cells, checked through a COCO export, and every rejected input (XXE included)
 * leaving the repository byte for byte as it was.
 */
class XmlLabelImportTest extends LabelImportFixture {

    private JsonNode exportCoco() throws IOException {
        Path out = tmp.resolve("out");
        ok("export", "--format", "coco", "--out", out.toString());
        return LabelImportFormatsTest.JSON.readTree(out.resolve("annotations.json").toFile());
    }

    /** Returns a VOC annotation laid out as LabelImg writes it, with the given objects. */
    private static String voc(String filename, int width, int height, String objects) {
        return """
                <annotation>
                  <folder>batch</folder>
                  <filename>%s</filename>
                  <path>/data/batch/%s</path>
                  <source><database>Unknown</database></source>
                  <size><width>%d</width><height>%d</height><depth>1</depth></size>
                  <segmented>0</segmented>
                %s</annotation>
                """.formatted(filename, filename, width, height, objects);
    }

    private static String vocBox(String name, String xmin, String ymin, String xmax, String ymax) {
        return """
                  <object>
                    <name>%s</name><pose>Unspecified</pose><truncated>0</truncated><difficult>0</difficult>
                    <bndbox><xmin>%s</xmin><ymin>%s</ymin><xmax>%s</xmax><ymax>%s</ymax></bndbox>
                  </object>
                """.formatted(name, xmin, ymin, xmax, ymax);
    }

    @Test
    void vocFolderBoxesAndPolygons() throws IOException {
        String polygon = """
                  <object>
                    <name>finger-interruption</name>
                    <bndbox><xmin>99</xmin><ymin>101</ymin><xmax>141</xmax><ymax>161</ymax></bndbox>
                    <polygon><x1>101</x1><y1>101</y1><x2>141.5</x2><y2>102</y2><x3>121</x3><y3>161.25</y3></polygon>
                  </object>
                """;
        write("voc/batch/cell0001.xml", voc("cell0001.png", 300, 300,
                vocBox("crack", "1", "1", "10", "20") + polygon));
        write("voc/batch/cell0004.xml", voc("cell0004.png", 300, 300, ""));
        write("voc/batch/cell0006.xml", voc("cell0006.png", 300, 300, vocBox("crack", "291", "281", "300", "300")));
        ok("label", "import", "--format", "voc", tmp.resolve("voc").toString(), "--labeler", "vera");
        ok("commit", "-m", "voc");
        JsonNode out = exportCoco();

        List<JsonNode> first = annotationsOf(out, "batch/cell0001.png");
        assertEquals(2, first.size());
        assertEquals("crack", categoryOf(out, first.get(0)));
        assertEquals(List.of(0.0, 0.0, 10.0, 20.0), numbers(first.get(0).path("bbox")), "1-based pixels 1..10, 1..20");
        assertEquals("finger-interruption", categoryOf(out, first.get(1)));
        assertEquals(List.of(100.0, 100.0, 140.5, 101.0, 120.0, 160.25),
                numbers(first.get(1).path("segmentation").get(0)), "polygon wins over bndbox, shifted by one");
        assertEquals(0, annotationsOf(out, "batch/cell0004.png").size(), "annotation without objects: no defect");
        assertEquals(List.of(290.0, 280.0, 10.0, 20.0), numbers(annotationsOf(out, "batch/cell0006.png").get(0)
                .path("bbox")), "a box ending on the last pixel");
        assertEquals(1, annotationsOf(out, "batch/cell0005.png").size(), "not in the folder: unchanged");
        assertEquals("vera", out.path("images").get(0).path("dsv").path("labeler").asText());
    }

    @Test
    void vocContinuousCoordinates() throws IOException {
        String polygon = """
                  <object>
                    <name>finger-interruption</name>
                    <polygon><x1>0</x1><y1>0</y1><x2>40.5</x2><y2>1</y2><x3>20</x3><y3>60.25</y3></polygon>
                  </object>
                """;
        write("voc/batch/cell0001.xml", voc("cell0001.png", 300, 300,
                vocBox("crack", "0", "0", "10", "20.5") + polygon));
        write("voc/batch/cell0002.xml", voc("cell0002.png", 300, 300, vocBox("crack", "5", "5", "5", "9")));
        CliResult empty = Dsv.run(library, "label", "import", "--format", "voc", tmp.resolve("voc").toString(),
                "--voc-coordinates", "continuous", "--labeler", "vera");
        assertEquals(3, empty.exitCode(), "a zero-width continuous box is empty\n" + empty);
        assertTrue(empty.err().contains("cell0002.xml"), empty.toString());

        write("voc/batch/cell0002.xml", voc("cell0002.png", 300, 300, ""));
        ok("label", "import", "--format", "voc", tmp.resolve("voc").toString(), "--voc-coordinates", "continuous",
                "--labeler", "vera");
        ok("commit", "-m", "voc continuous");
        List<JsonNode> first = annotationsOf(exportCoco(), "batch/cell0001.png");
        assertEquals(List.of(0.0, 0.0, 10.0, 20.5), numbers(first.get(0).path("bbox")), "taken unchanged");
        assertEquals(List.of(0.0, 0.0, 40.5, 1.0, 20.0, 60.25), numbers(first.get(1).path("segmentation").get(0)));
        assertEquals(2, Dsv.run(library, "label", "import", "--format", "cvat", tmp.resolve("voc").toString(),
                "--voc-coordinates", "continuous", "--labeler", "vera").exitCode(), "only for --format voc");
    }

    @Test
    void vocSingleFileThroughMapping() throws IOException {
        String points = """
                  <object>
                    <name>Finger</name>
                    <polygon><pt><x>11</x><y>11</y></pt><pt><x>21</x><y>11</y></pt><pt><x>21</x><y>31</y></pt></polygon>
                  </object>
                """;
        Path file = write("single.xml", voc("batch/cell0002.png", 300, 300, vocBox("Crack", "5", "6", "7", "8") + points));
        Path map = write("map.csv", "category,defect\nCrack,crack\nFinger,finger-interruption\n");
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2024-07-01T09:00:00Z")));
        ok("label", "import", "--format", "voc", file.toString(), "--categories", map.toString(), "--labeler", "wim",
                "--labeled-at-from-file");
        ok("commit", "-m", "voc file");
        JsonNode out = exportCoco();

        List<JsonNode> second = annotationsOf(out, "batch/cell0002.png");
        assertEquals(2, second.size());
        assertEquals("crack", categoryOf(out, second.get(0)));
        assertEquals(List.of(4.0, 5.0, 3.0, 3.0), numbers(second.get(0).path("bbox")));
        assertEquals("finger-interruption", categoryOf(out, second.get(1)));
        assertEquals(List.of(10.0, 10.0, 20.0, 10.0, 20.0, 30.0), numbers(second.get(1).path("segmentation").get(0)));
        JsonNode image = out.path("images").get(1);
        assertEquals("batch/cell0002.png", image.path("file_name").asText());
        assertEquals("wim", image.path("dsv").path("labeler").asText());
        assertEquals("2024-07-01T09:00:00Z", image.path("dsv").path("labeled_at").asText());
    }

    /** Returns a CVAT for images 1.1 file with a meta block and the given image elements. */
    private static String cvat(String images) {
        return """
                <?xml version="1.0" encoding="utf-8"?>
                <annotations>
                  <version>1.1</version>
                  <meta>
                    <task><id>7</id><name>cells</name><size>3</size><mode>annotation</mode>
                      <labels><label><name>Crack</name><color>#ff0000</color><type>any</type><attributes/></label></labels>
                    </task>
                    <dumped>2024-06-01 10:15:00.000000+00:00</dumped>
                  </meta>
                %s</annotations>
                """.formatted(images);
    }

    @Test
    void cvatBoxesPolygonsAndTags() throws IOException {
        String images = """
                  <image id="0" name="batch/cell0001.png" width="300" height="300">
                    <box label="Crack" source="manual" occluded="0" xtl="12.25" ytl="30.5" xbr="27.25" ybr="58.00" z_order="0">
                    </box>
                    <polygon label="finger" source="manual" occluded="0" points="100.00,100.00;140.50,101.00;120.00,160.25;98.50,130.00" z_order="0">
                    </polygon>
                  </image>
                  <image id="1" name="batch/cell0003.png" width="300" height="300">
                    <tag label="Crack" source="manual"/>
                  </image>
                  <image id="2" name="batch/cell0004.png" width="300" height="300">
                  </image>
                """;
        Path file = write("cvat/annotations.xml", cvat(images));
        Path map = write("map.csv", "category,defect\nCrack,crack\nfinger,finger-interruption\n");
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2024-06-01T10:15:00Z")));
        ok("label", "import", "--format", "cvat", file.toString(), "--categories", map.toString(), "--labeler", "bob",
                "--labeled-at-from-file");
        ok("commit", "-m", "cvat");
        JsonNode out = exportCoco();

        List<JsonNode> first = annotationsOf(out, "batch/cell0001.png");
        assertEquals(2, first.size());
        assertEquals("crack", categoryOf(out, first.get(0)));
        assertEquals(List.of(12.25, 30.5, 15.0, 27.5), numbers(first.get(0).path("bbox")));
        assertEquals("finger-interruption", categoryOf(out, first.get(1)));
        assertEquals(List.of(100.0, 100.0, 140.5, 101.0, 120.0, 160.25, 98.5, 130.0),
                numbers(first.get(1).path("segmentation").get(0)));
        assertEquals(0, annotationsOf(out, "batch/cell0003.png").size(), "a tag has no region");
        assertEquals(0, annotationsOf(out, "batch/cell0004.png").size());
        assertEquals(1, annotationsOf(out, "batch/cell0005.png").size(), "not in the file: unchanged");
        JsonNode image = out.path("images").get(0);
        assertEquals("bob", image.path("dsv").path("labeler").asText());
        assertEquals("2024-06-01T10:15:00Z", image.path("dsv").path("labeled_at").asText());

        CliResult tagged = ok("--json", "show", "HEAD:batch/cell0003.png");
        assertTrue(tagged.out().contains("\"crack\""), "the tag's defect is on the label\n" + tagged);
    }

    @Test
    void vocBadInputRejected() throws IOException {
        Path unknown = write("v1/batch/cell0001.xml", voc("cell0001.png", 300, 300, vocBox("hairline", "1", "1", "5", "5")));
        rejected(List.of(unknown + ":8", "hairline", "--categories"),
                "label", "import", "--format", "voc", tmp.resolve("v1").toString(), "--labeler", "bob");
        Path absent = write("v2/batch/cell0999.xml", voc("cell0999.png", 300, 300, ""));
        rejected(List.of(absent + ":1", "batch/cell0999.png", "dsv add"),
                "label", "import", "--format", "voc", tmp.resolve("v2").toString(), "--labeler", "bob");
        Path outside = write("v3.xml", voc("batch/cell0001.png", 300, 300, vocBox("crack", "0", "1", "5", "5")));
        rejected(List.of(outside + ":8", "xmin=0", "300x300"),
                "label", "import", "--format", "voc", outside.toString(), "--labeler", "bob");
        Path beyond = write("v4.xml", voc("batch/cell0001.png", 300, 300, vocBox("crack", "290", "1", "301", "5")));
        rejected(List.of(beyond + ":8", "xmax=301"),
                "label", "import", "--format", "voc", beyond.toString(), "--labeler", "bob");
        Path size = write("v5.xml", voc("batch/cell0001.png", 640, 480, ""));
        rejected(List.of(size + ":6", "640x480", "300x300"),
                "label", "import", "--format", "voc", size.toString(), "--labeler", "bob");
        write("v6/a/cell0001.xml", voc("batch/cell0001.png", 300, 300, ""));
        Path second = write("v6/b/cell0001.xml", voc("batch/cell0001.png", 300, 300, ""));
        rejected(List.of(second.toString(), "batch/cell0001.png"),
                "label", "import", "--format", "voc", tmp.resolve("v6").toString(), "--labeler", "bob");
        Path noLabeler = write("v7.xml", voc("batch/cell0001.png", 300, 300, ""));
        rejected(List.of(noLabeler.toString(), "--labeler"), "label", "import", "--format", "voc", noLabeler.toString());
        Path notVoc = write("v8.xml", "<annotations/>\n");
        rejected(List.of(notVoc + ":1", "<annotation>"),
                "label", "import", "--format", "voc", notVoc.toString(), "--labeler", "bob");
    }

    @Test
    void cvatBadInputRejected() throws IOException {
        String image1 = "  <image id=\"0\" name=\"batch/cell0001.png\" width=\"300\" height=\"300\">\n%s  </image>\n";
        Path unknown = write("c1.xml", cvat(image1.formatted(
                "    <box label=\"hairline\" xtl=\"1\" ytl=\"1\" xbr=\"5\" ybr=\"5\"/>\n")));
        rejected(List.of(unknown + ":11", "hairline"),
                "label", "import", "--format", "cvat", unknown.toString(), "--labeler", "bob");
        Path absent = write("c2.xml", cvat("  <image id=\"0\" name=\"batch/missing.png\" width=\"300\" height=\"300\"/>\n"));
        rejected(List.of(absent + ":10", "batch/missing.png", "dsv add"),
                "label", "import", "--format", "cvat", absent.toString(), "--labeler", "bob");
        Path box = write("c3.xml", cvat(image1.formatted(
                "    <box label=\"crack\" xtl=\"290\" ytl=\"1\" xbr=\"300.5\" ybr=\"5\"/>\n")));
        rejected(List.of(box + ":11", "xbr=300.5", "300x300"),
                "label", "import", "--format", "cvat", box.toString(), "--labeler", "bob");
        Path polygon = write("c4.xml", cvat(image1.formatted(
                "    <polygon label=\"crack\" points=\"1,1;20,1;20,-0.5\"/>\n")));
        rejected(List.of(polygon + ":11", "20,-0.5"),
                "label", "import", "--format", "cvat", polygon.toString(), "--labeler", "bob");
        Path duplicate = write("c5.xml", cvat(image1.formatted("") + image1.formatted("")));
        rejected(List.of(duplicate + ":12", "batch/cell0001.png", duplicate + ":10"),
                "label", "import", "--format", "cvat", duplicate.toString(), "--labeler", "bob");
        Path polyline = write("c6.xml", cvat(image1.formatted(
                "    <polyline label=\"crack\" points=\"1,1;20,1\"/>\n")));
        rejected(List.of(polyline + ":11", "<polyline>"),
                "label", "import", "--format", "cvat", polyline.toString(), "--labeler", "bob");
        Path empty = write("c7.xml", cvat(image1.formatted(
                "    <box label=\"crack\" xtl=\"5\" ytl=\"1\" xbr=\"5\" ybr=\"5\"/>\n")));
        rejected(List.of(empty + ":11", "xtl=5"),
                "label", "import", "--format", "cvat", empty.toString(), "--labeler", "bob");
        Path noLabeler = write("c8.xml", cvat(image1.formatted("")));
        rejected(List.of(noLabeler.toString(), "--labeler"), "label", "import", "--format", "cvat", noLabeler.toString());
    }

    @Test
    void malformedXmlNamesLine() throws IOException {
        Path voc = write("broken/batch/cell0001.xml", "<annotation>\n  <filename>cell0001.png</filename>\n  <object>\n</annotation>\n");
        rejected(List.of(voc + ":4:"),
                "label", "import", "--format", "voc", tmp.resolve("broken").toString(), "--labeler", "bob");
        Path cvat = write("broken.xml", "<annotations>\n  <image name=\"batch/cell0001.png\" width=\"300\n</annotations>\n");
        rejected(List.of(cvat + ":3:", "invalid XML"), "label", "import", "--format", "cvat", cvat.toString(), "--labeler", "bob");
    }

    @Test
    void externalEntitiesRejected() throws IOException {
        Path secret = write("secret.txt", "crack");
        String doctype = "<?xml version=\"1.0\"?>\n<!DOCTYPE annotation [<!ENTITY leak SYSTEM \"" + secret.toUri() + "\">]>\n";
        Path voc = write("xxe.xml", doctype + "<annotation><filename>batch/cell0001.png</filename>"
                + "<object><name>&leak;</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>5</xmax><ymax>5</ymax></bndbox>"
                + "</object></annotation>\n");
        CliResult r = rejected(List.of(voc + ":2:", "DOCTYPE"),
                "label", "import", "--format", "voc", voc.toString(), "--labeler", "bob");
        assertFalse(r.out().contains("crack") || r.err().contains("crack"), r.toString());

        Path cvat = write("xxe-cvat.xml", doctype.replace("annotation [", "annotations [")
                + "<annotations><image name=\"batch/cell0001.png\" width=\"300\" height=\"300\">"
                + "<tag label=\"&leak;\"/></image></annotations>\n");
        rejected(List.of(cvat + ":2:", "DOCTYPE"), "label", "import", "--format", "cvat", cvat.toString(), "--labeler", "bob");
    }
}

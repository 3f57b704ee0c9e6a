package dev.dsv.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzz targets for the label importers: each input is the bytes of one labels file, imported into the
 * fuzz library with {@code dsv label import}. Every input must end in an import or a user error that
 * leaves the repository unchanged. The seed inputs live in src/test/resources under
 * dev/dsv/fuzz/LabelImportFuzzTestInputs/METHOD; the default test run replays them, and
 * {@code scripts/fuzz} fuzzes one target for real.
 */
class LabelImportFuzzTest {
    /** A category map from the tools' class names to dsv defects, for the tool formats. */
    private static final byte[] CATEGORIES = ("category,defect\nCrack,crack\ncrack,crack\nfinger,finger-interruption\n"
            + "microcrack,microcrack\n").getBytes(StandardCharsets.UTF_8);
    /** The CSV layouts that {@link #csvWithLayout} picks from with the first input byte. */
    private static final String[][] LAYOUTS = {
        {},
        {"--no-header", "--delimiter", "tab", "--columns", "path=0,defects=1,cell_type=2"},
        {"--delimiter", ";", "--columns", "path=file,defects=label"},
        {"--delimiter", "space", "--no-header", "--columns", "path=0,defects=1"},
        {"--columns", "path=file,defects=label", "--map", "label:ok=none", "--map", "label:*=crack"},
    };

    private static FuzzLibrary lib;

    @BeforeAll
    static void library() {
        lib = FuzzLibrary.create();
    }

    private static String categories() {
        return lib.write("categories.csv", CATEGORIES).toString();
    }

    @FuzzTest(maxDuration = "2h")
    void csv(byte[] input) {
        lib.inputs();
        Path file = lib.write("labels.csv", input);
        lib.run("label", "import", file.toString(), "--labeler", "fuzz");
    }

    @FuzzTest(maxDuration = "2h")
    void csvWithLayout(byte[] input) {
        if (input.length == 0) {
            return;
        }
        lib.inputs();
        String[] layout = LAYOUTS[Byte.toUnsignedInt(input[0]) % LAYOUTS.length];
        Path file = lib.write("labels.txt", java.util.Arrays.copyOfRange(input, 1, input.length));
        String[] args = new String[5 + layout.length];
        args[0] = "label";
        args[1] = "import";
        args[2] = file.toString();
        args[3] = "--labeler";
        args[4] = "fuzz";
        System.arraycopy(layout, 0, args, 5, layout.length);
        lib.run(args);
    }

    @FuzzTest(maxDuration = "2h")
    void coco(byte[] input) {
        lib.inputs();
        Path file = lib.write("annotations.json", input);
        lib.run("label", "import", "--format", "coco", file.toString(), "--categories", categories(),
                "--labeler", "fuzz");
    }

    @FuzzTest(maxDuration = "2h")
    void yolo(byte[] input) {
        Path dir = lib.inputs();
        Path names = lib.write("classes.txt", "crack\nfinger-interruption\nmicrocrack\n".getBytes(StandardCharsets.UTF_8));
        lib.write("yolo/batch/cell0001.txt", input);
        lib.run("label", "import", "--format", "yolo", dir.resolve("yolo").toString(), "--names",
                names.toString(), "--labeler", "fuzz");
    }

    @FuzzTest(maxDuration = "2h")
    void yoloNames(byte[] input) {
        lib.inputs();
        Path names = lib.write("classes.txt", input);
        lib.write("yolo/batch/cell0001.txt", "0 0.5 0.5 0.1 0.1\n2 0.25 0.25 0.5 0.5\n".getBytes(StandardCharsets.UTF_8));
        lib.run("label", "import", "--format", "yolo", names.getParent().resolve("yolo").toString(), "--names",
                names.toString(), "--labeler", "fuzz");
    }

    @FuzzTest(maxDuration = "2h")
    void voc(byte[] input) {
        lib.inputs();
        Path file = lib.write("voc/batch/cell0001.xml", input);
        lib.run("label", "import", "--format", "voc", file.getParent().getParent().toString(), "--categories",
                categories(), "--labeler", "fuzz");
    }

    @FuzzTest(maxDuration = "2h")
    void cvat(byte[] input) {
        lib.inputs();
        Path file = lib.write("annotations.xml", input);
        lib.run("label", "import", "--format", "cvat", file.toString(), "--categories", categories(),
                "--labeler", "fuzz");
    }

    @FuzzTest(maxDuration = "2h")
    void labelStudio(byte[] input) {
        lib.inputs();
        Path file = lib.write("export.json", input);
        lib.run("label", "import", "--format", "labelstudio", file.toString(), "--categories", categories(),
                "--labeler", "fuzz");
    }

    @FuzzTest(maxDuration = "2h")
    void supervisely(byte[] input) {
        lib.inputs();
        lib.write("sly/meta.json", "{\"classes\": [], \"tags\": [], \"projectType\": \"images\"}"
                .getBytes(StandardCharsets.UTF_8));
        Path file = lib.write("sly/batch/ann/cell0001.png.json", input);
        lib.run("label", "import", "--format", "supervisely", file.getParent().getParent().getParent().toString(),
                "--categories", categories(), "--labeler", "fuzz");
    }
}

package dev.dsv.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.dsv.error.DsvException;
import dev.dsv.error.Problem;
import dev.dsv.imaging.GrayImage;
import dev.dsv.imaging.ImageDecodeException;
import dev.dsv.ingest.CategoryMap;
import dev.dsv.ingest.CocoLabels;
import dev.dsv.ingest.CsvLayout;
import dev.dsv.ingest.CvatLabels;
import dev.dsv.ingest.DsvCsvLabels;
import dev.dsv.ingest.ImageCheck;
import dev.dsv.ingest.ImageSize;
import dev.dsv.ingest.InvalidImageException;
import dev.dsv.ingest.LabelStudioLabels;
import dev.dsv.ingest.StagedImages;
import dev.dsv.ingest.SuperviselyLabels;
import dev.dsv.ingest.VocLabels;
import dev.dsv.ingest.YoloLabels;
import dev.dsv.model.ObjectId;
import dev.dsv.repo.RepositoryConfig;
import dev.dsv.repo.Vocabulary;
import dev.dsv.tree.TreeCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.codec.digest.DigestUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fast fuzz targets that call the readers of untrusted files directly, without a repository: the
 * label importers against six staged 300 x 300 images, the image structural check with the decoder
 * behind it, the repository configuration and the tree object codec. A reader may return or throw a
 * {@link DsvException} (or, for images, the checked exceptions it declares); any other throwable is a
 * finding. {@link LabelImportFuzzTest} runs the same importers through the command line, slower, to
 * check that a failed import leaves the repository unchanged.
 */
class ParserFuzzTest {
    private static final List<String> STAGED = List.of("batch/cell0001.png", "batch/cell0002.png", "batch/cell0003.png",
            "batch/cell0004.png", "batch/cell0005.png", "batch/cell0006.png");
    private static final Vocabulary DEFECTS = RepositoryConfig.defaults().defectTypes();

    private static Path dir;

    @BeforeAll
    static void folder() throws IOException {
        dir = Files.createTempDirectory("dsv-parser-fuzz");
    }

    @AfterAll
    static void removeFolder() {
        FuzzLibrary.delete(dir);
    }

    /** Six 300 x 300 images under batch/, as an importer sees the stage. */
    private static final StagedImages STAGE = new StagedImages() {
        @Override
        public boolean contains(String datasetPath) {
            return STAGED.contains(datasetPath);
        }

        @Override
        public ImageSize size(String datasetPath) {
            return new ImageSize(300, 300);
        }

        @Override
        public List<String> pathsWithStem(String stem) {
            return STAGED.stream().filter(p -> p.substring(0, p.lastIndexOf('.')).equals(stem)).toList();
        }

        @Override
        public List<String> pathsWithFileName(String fileName) {
            return STAGED.stream().filter(p -> p.substring(p.lastIndexOf('/') + 1).equals(fileName)).toList();
        }
    };

    private static Path write(String relative, byte[] bytes) {
        try {
            FuzzLibrary.delete(dir);
            Path file = dir.resolve(relative);
            Files.createDirectories(file.getParent());
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static CategoryMap categories() {
        return CategoryMap.identity(DEFECTS);
    }

    /** Runs a reader; a {@link DsvException} is the user error it may end in. */
    private static void read(Runnable reader) {
        try {
            reader.run();
        } catch (DsvException expected) {
            // A user error: the contract allows it.
        }
    }

    @FuzzTest(maxDuration = "2h")
    void dsvCsv(byte[] input) {
        Path file = write("labels.csv", input);
        read(() -> new DsvCsvLabels(file, true, CsvLayout.DEFAULT).read(new ArrayList<>()));
        read(() -> new DsvCsvLabels(file, false, CsvLayout.fromOptions("tab", true, "path=0,defects=1,cell_type=2", null,
                List.of("1:ok=none"))).read(new ArrayList<>()));
    }

    @FuzzTest(maxDuration = "2h")
    void coco(byte[] input) {
        Path file = write("annotations.json", input);
        read(() -> new CocoLabels(file, categories(), STAGE, null).read(new ArrayList<>()));
    }

    @FuzzTest(maxDuration = "2h")
    void yolo(byte[] input) {
        write("yolo/batch/cell0001.txt", input);
        Path names = dir.resolve("classes.txt");
        try {
            Files.writeString(names, "crack\nfinger-interruption\nmicrocrack\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        read(() -> new YoloLabels(dir.resolve("yolo"), names, categories(), STAGE, false).read(new ArrayList<>()));
    }

    @FuzzTest(maxDuration = "2h")
    void voc(byte[] input) {
        Path file = write("cell0001.xml", input);
        // Both coordinate conventions parse the same text; the input's length picks one.
        VocLabels.Coordinates coordinates = input.length % 2 == 0
                ? VocLabels.Coordinates.DEVKIT : VocLabels.Coordinates.CONTINUOUS;
        read(() -> new VocLabels(file, categories(), STAGE, false, coordinates).read(new ArrayList<>()));
    }

    @FuzzTest(maxDuration = "2h")
    void cvat(byte[] input) {
        Path file = write("annotations.xml", input);
        read(() -> new CvatLabels(file, categories(), STAGE, null).read(new ArrayList<>()));
    }

    @FuzzTest(maxDuration = "2h")
    void labelStudio(byte[] input) {
        Path file = write("export.json", input);
        read(() -> new LabelStudioLabels(file, categories(), STAGE, null).read(new ArrayList<>()));
    }

    @FuzzTest(maxDuration = "2h")
    void supervisely(byte[] input) {
        write("sly/batch/ann/cell0001.png.json", input);
        try {
            Files.writeString(dir.resolve("sly/meta.json"), "{\"classes\": [], \"tags\": [], \"projectType\": \"images\"}");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        read(() -> new SuperviselyLabels(dir.resolve("sly"), categories(), STAGE, false).read(new ArrayList<>()));
    }

    /**
     * The structural check that add runs on every image, then the decoder that the leakage and
     * plausibility checks run on an image that passed it.
     */
    @FuzzTest(maxDuration = "2h")
    void image(byte[] input) throws IOException {
        Path file = write("image", input);
        try (FileChannel channel = FileChannel.open(file)) {
            ImageCheck.check(channel);
        } catch (InvalidImageException rejected) {
            return;
        }
        try {
            GrayImage.decode(input);
        } catch (ImageDecodeException rejected) {
            // The callers turn this into a user error naming the image.
        }
    }

    @FuzzTest(maxDuration = "2h")
    void repositoryConfig(byte[] input) {
        read(() -> RepositoryConfig.parse(input, Path.of("config.json")));
    }

    /** A tree object as it arrives from a remote: its id is the hash of its bytes. */
    @FuzzTest(maxDuration = "2h")
    void treeObject(byte[] input) {
        ObjectId id = ObjectId.parse(DigestUtils.sha256Hex(input));
        read(() -> TreeCodec.decode(id, input));
        read(() -> TreeCodec.decode(id, input, false));
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}

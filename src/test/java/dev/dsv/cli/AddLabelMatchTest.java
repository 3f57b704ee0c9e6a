package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.Images;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A re-add skips reading the staged label record of an image whose row an earlier add already
 * matched with that record. Any other record at the path, or another row, is read and compared.
 */
class AddLabelMatchTest {
    @TempDir
    Path tmp;

    private Path library;
    private Path batch;
    private Path labels;

    @BeforeEach
    void setUp() throws IOException {
        library = tmp.resolve("lib");
        assertEquals(0, Dsv.run(tmp, "init", "lib").exitCode());
        assertEquals(0, Dsv.run(library, "switch", "-c", "work").exitCode());
        batch = tmp.resolve("batch");
        Images.copySample(batch, 3);
        labels = Images.writeLabels(tmp.resolve("labels.csv"), "path,cell_type,defects",
                "cell0001.png,mono,", "cell0002.png,mono,crack", "cell0003.png,poly,");
    }

    private JsonNode add() {
        CliResult r = Dsv.run(library, "--json", "add", batch.toString(), "--labels", labels.toString(),
                "--source", "production", "--labeler", "lab-01", "--replace");
        assertEquals(0, r.exitCode(), r.toString());
        return r.json();
    }

    @Test
    void reAddAfterImageChangeKeepsOtherRecords() throws IOException {
        assertEquals(3, add().path("added").asInt());
        Files.copy(Images.sampleImages().get(4), batch.resolve("cell0003.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        JsonNode again = add();

        assertEquals(1, again.path("replaced").asInt(), again.toString());
        assertEquals(2, again.path("unchanged").asInt(), again.toString());
    }

    @Test
    void recordChangedSinceTheMatchIsRead() throws IOException {
        add();
        Path relabel = Images.writeLabels(tmp.resolve("relabel.csv"), "dataset_path,defects",
                "batch/cell0001.png,crack");
        CliResult imported = Dsv.run(library, "label", "import", relabel.toString(), "--labeler", "lab-02");
        assertEquals(0, imported.exitCode(), imported.toString());

        JsonNode again = add();

        assertEquals(1, again.path("relabeled").asInt(), "the labels file wins over the import\n" + again);
        assertEquals(2, again.path("unchanged").asInt(), again.toString());
    }

    @Test
    void changedRowIsRead() throws IOException {
        add();
        Images.writeLabels(labels, "path,cell_type,defects",
                "cell0001.png,mono,", "cell0002.png,mono,", "cell0003.png,poly,");

        JsonNode again = add();

        assertEquals(1, again.path("relabeled").asInt(), again.toString());
    }
}

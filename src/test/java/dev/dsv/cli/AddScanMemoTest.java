package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.Images;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A re-add of files whose stat has not changed since an earlier add (the scan fingerprint) stages
 * nothing without reading the labels file. A change to the labels file, the options, the
 * configuration or the packs makes it take the full path again.
 */
class AddScanMemoTest {
    /** Older than the two-second margin for files modified during an add. */
    private static final FileTime AN_HOUR_AGO = FileTime.from(Instant.now().minusSeconds(3600));

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
        try (Stream<Path> files = Files.list(batch)) {
            for (Path f : files.toList()) {
                Files.setLastModifiedTime(f, AN_HOUR_AGO);
            }
        }
        Files.setLastModifiedTime(labels, AN_HOUR_AGO);
    }

    private JsonNode add() {
        CliResult r = Dsv.run(library, "--json", "add", batch.toString(), "--labels", labels.toString(),
                "--source", "production", "--labeler", "lab-01");
        assertEquals(0, r.exitCode(), r.toString());
        return r.json();
    }

    /**
     * Waits until the files' ctime (set to now by the mtime reset of {@link #setUp}) is more than
     * 2 s old. Until then an add trusts no stat of theirs, because a file changed that recently may
     * still be changing.
     */
    private static void waitOutRacyWindow() throws InterruptedException {
        Thread.sleep(2_100);
    }

    @Test
    void unchangedReAddStagesNothing() throws InterruptedException {
        waitOutRacyWindow();
        assertEquals(3, add().path("added").asInt());
        assertEquals(0, Dsv.run(library, "commit", "-m", "first").exitCode());

        JsonNode again = add();

        assertEquals(3, again.path("files").asInt());
        assertEquals(3, again.path("unchanged").asInt());
        assertEquals(0, again.path("staged").asInt());
        assertEquals(0, again.path("hashed").asInt());
    }

    @Test
    void labelsEditWithMtimeSetBackIsRead() throws IOException {
        add();
        // Same length and modification time, other content: only the ctime differs.
        String text = Files.readString(labels).replace("cell0002.png,mono,crack", "cell0002.png,poly,crack");
        Files.writeString(labels, text);
        Files.setLastModifiedTime(labels, AN_HOUR_AGO);

        CliResult r = Dsv.run(library, "--json", "add", batch.toString(), "--labels", labels.toString(),
                "--source", "production", "--labeler", "lab-01", "--replace");

        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(1, r.json().path("facts_changed").asInt(), "the new cell type is staged\n" + r);
    }

    @Test
    void recentCtimeIsNotTrusted() {
        // The mtimes are an hour old, but setUp changed them just now, so the ctimes are recent.
        add();

        JsonNode again = add();

        assertEquals(0, again.path("staged").asInt());
        assertEquals(3, again.path("hashed").asInt(), "a file with a recent ctime is read again\n" + again);
    }

    @Test
    void imageEditWithMtimeSetBackIsHashed() throws IOException, InterruptedException {
        waitOutRacyWindow();
        add();
        assertEquals(0, Dsv.run(library, "commit", "-m", "first").exitCode());
        Path image = batch.resolve("cell0002.png");
        byte[] bytes = Files.readAllBytes(image);
        // One flipped byte of compressed image data: the structural check reads no CRC and decodes
        // no pixels, so the file stays a valid image of the same size; after the reset the mtime
        // is the same too.
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(image, bytes);
        Files.setLastModifiedTime(image, AN_HOUR_AGO);

        CliResult r = Dsv.run(library, "--json", "add", batch.toString(), "--labels", labels.toString(),
                "--source", "production", "--labeler", "lab-01", "--replace");

        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(1, r.json().path("hashed").asInt(), "the stat cache compares ctime\n" + r);
        assertEquals(1, r.json().path("replaced").asInt(), r.toString());
    }

    @Test
    void editedLabelsFileIsRead() throws IOException {
        add();
        Images.writeLabels(labels, "path,cell_type,defects",
                "cell0001.png,mono,dark-spot", "cell0002.png,mono,crack", "cell0003.png,poly,");
        Files.setLastModifiedTime(labels, FileTime.from(Instant.now().minusSeconds(600)));

        CliResult r = Dsv.run(library, "--json", "add", batch.toString(), "--labels", labels.toString(),
                "--source", "production", "--labeler", "lab-01", "--replace");

        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(1, r.json().path("relabeled").asInt(), r.toString());
    }

    @Test
    void otherOptionsAreNotUnchanged() {
        add();

        CliResult r = Dsv.run(library, "--json", "add", batch.toString(), "--labels", labels.toString(),
                "--source", "production", "--labeler", "lab-02", "--replace");

        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(3, r.json().path("relabeled").asInt(), "another labeler gives new label records");
    }

    @Test
    void configChangeTakesFullPath() throws IOException {
        add();
        Path config = library.resolve(".dsv/config.json");
        Files.writeString(config, Files.readString(config).replace("\"mono\"", "\"mono-renamed\""));

        CliResult r = Dsv.run(library, "--json", "add", batch.toString(), "--labels", labels.toString(),
                "--source", "production", "--labeler", "lab-01");

        assertEquals(3, r.exitCode(), "the full path checks the labels against the changed vocabulary\n" + r);
    }

    @Test
    void deletedPackIsStoredAgain() throws IOException {
        add();
        assertEquals(0, Dsv.run(library, "commit", "-m", "first").exitCode());
        add();
        List<Path> blobPacks;
        try (Stream<Path> packs = Files.list(library.resolve(".dsv/objects/pack"))) {
            blobPacks = packs.filter(p -> p.toString().endsWith(".pack")).filter(p -> p.toFile().length() > 20_000)
                    .toList();
        }
        assertTrue(!blobPacks.isEmpty(), "the sample images are in a pack of their own");
        for (Path p : blobPacks) {
            Files.delete(Path.of(p.toString().replace(".pack", ".idx")));
            Files.delete(p);
        }
        assertEquals(1, Dsv.run(library, "fsck").exitCode());

        JsonNode again = add();

        assertEquals(0, again.path("staged").asInt());
        assertTrue(Dsv.run(library, "--json", "fsck").json().path("ok").asBoolean(), "the re-add stored the blobs again");
    }
}

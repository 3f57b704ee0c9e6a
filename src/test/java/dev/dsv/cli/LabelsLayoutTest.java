package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.Images;
import dev.dsv.testing.RepoSnapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Labels files in other layouts: renamed and reordered headers, headerless files with column
 * positions, other delimiters, value rules, and ELPV's own labels.csv read without conversion.
 */
class LabelsLayoutTest {
    private static final String LABELED_AT = "2026-01-05T08:00:00+08:00";
    private static final String[] ELPV_LAYOUT = {"--no-header", "--delimiter", "whitespace",
        "--columns", "dataset_path=1,confidence=2,defects=2,cell_type=3", "--map", "defects:0=", "--map", "defects:*=defective"};

    @TempDir
    Path tmp;

    private Path library(String name) {
        assertEquals(0, Dsv.run(tmp, "init", name).exitCode());
        assertEquals(0, Dsv.run(tmp.resolve(name), "switch", "-c", "work").exitCode());
        return tmp.resolve(name);
    }

    /**
     * Copies every 41st row of the real ELPV labels.csv, byte for byte, and its images into
     * {@code tmp/elpv}; the rows cover all cell type x probability classes.
     */
    private Path elpvSubset() throws IOException {
        Path dir = tmp.resolve("elpv");
        Files.createDirectories(dir.resolve("images"));
        List<String> lines = Files.readAllLines(Images.ELPV.resolve("labels.csv"), StandardCharsets.UTF_8);
        StringBuilder subset = new StringBuilder();
        for (int i = 0; i < lines.size(); i += 41) {
            String line = lines.get(i);
            String image = line.strip().split("\\s+")[0];
            Files.copy(Images.ELPV.resolve(image), dir.resolve(image));
            subset.append(line).append('\n');
        }
        Files.writeString(dir.resolve("labels.csv"), subset.toString());
        return dir;
    }

    private static String[] concat(String[] first, String... rest) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(List.of(rest));
        return all.toArray(String[]::new);
    }

    @Test
    void elpvLabelsEqualScriptConversion() throws Exception {
        Path elpv = elpvSubset();
        Path converted = tmp.resolve("converted.csv");
        Process script = new ProcessBuilder("bash", Path.of("scripts", "elpv-labels").toAbsolutePath().toString(),
                elpv.resolve("labels.csv").toString())
                .redirectOutput(converted.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        assertTrue(script.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, script.exitValue());

        Path viaScript = library("via-script");
        CliResult a = Dsv.run(viaScript, "--json", "add", elpv.resolve("images").toString(), "--labels", converted.toString(),
                "--source", "production", "--labeler", "elpv", "--labeled-at", LABELED_AT);
        assertEquals(0, a.exitCode(), a.toString());

        Path direct = library("direct");
        CliResult b = Dsv.run(direct, concat(new String[] {"--json", "add", elpv.resolve("images").toString(),
            "--labels", elpv.resolve("labels.csv").toString(), "--source", "production", "--labeler", "elpv",
            "--labeled-at", LABELED_AT}, ELPV_LAYOUT));
        assertEquals(0, b.exitCode(), b.toString());

        long rows = Files.readAllLines(elpv.resolve("labels.csv")).size();
        assertEquals(rows, b.json().path("added").asInt(), b.toString());
        assertEquals(a.json().path("stage_tree").asText(), b.json().path("stage_tree").asText(),
                "the direct import stages the same images, labels and facts as the script's CSV");
        assertEquals(0, Dsv.run(direct, "commit", "-m", "ELPV subset").exitCode());
        CliResult summary = Dsv.run(direct, "--json", "ls", "--summary");
        assertEquals(4, summary.json().path("sub_libraries").size(), "mono and poly, each with and without defect: " + summary);
        CliResult row = Dsv.run(direct, "ls", "--defect", "none", "--cell-type", "poly");
        assertTrue(row.out().contains("images/cell"), row.toString());
    }

    @Test
    void elpvLabelsImportRelabels() throws Exception {
        Path elpv = elpvSubset();
        Path lib = library("lib");
        CliResult add = Dsv.run(lib, "add", elpv.resolve("images").toString(), "--cell-type", "mono", "--defect", "none",
                "--source", "production", "--labeler", "lab-01");
        assertEquals(0, add.exitCode(), add.toString());
        CliResult imported = Dsv.run(lib, "--json", "label", "import", elpv.resolve("labels.csv").toString(),
                "--labeler", "elpv", "--no-header", "--delimiter", "whitespace", "--columns", "path=1,confidence=2,defects=2",
                "--map", "defects:0=", "--map", "defects:*=defective");
        assertEquals(0, imported.exitCode(), imported.toString());
        long defective = Files.readAllLines(elpv.resolve("labels.csv")).stream()
                .filter(l -> Double.parseDouble(l.strip().split("\\s+")[1]) > 0).count();
        long rows = Files.readAllLines(elpv.resolve("labels.csv")).size();
        assertEquals(rows, imported.json().path("relabeled").asInt(), "every row brings a new labeler and confidence");
        assertEquals(0, Dsv.run(lib, "commit", "-m", "ELPV labels").exitCode());
        CliResult listed = Dsv.run(lib, "ls", "--defect", "defective");
        assertEquals(defective, listed.out().lines().count(), listed.toString());
    }

    @Test
    void renamedHeaderWithSemicolons() throws Exception {
        Path batch = tmp.resolve("batch");
        Images.copySample(batch, 3);
        Path csv = tmp.resolve("export.csv");
        Files.writeString(csv, "Fehler;Datei;Typ;Modul\ncrack;cell0001.png;poly;M-7\n;cell0002.png;mono;M-7\n"
                + "crack;cell0003.png;mono;M-8\n");
        Path lib = library("lib");
        CliResult r = Dsv.run(lib, "add", batch.toString(), "--labels", csv.toString(), "--delimiter", ";",
                "--columns", "path=datei,cell_type=Typ,defects=fehler", "--source", "production", "--labeler", "lab-01");
        assertEquals(0, r.exitCode(), r.toString());
        String listing = lsStage(lib);
        CliResult ls = Dsv.run(lib, "--json", "show", "HEAD:batch/cell0001.png");
        assertEquals(0, ls.exitCode(), ls.toString());
        assertTrue(listing.contains("batch/cell0001.png\tpoly\tcrack"), listing);
        assertTrue(listing.contains("batch/cell0002.png\tmono\tnone"), listing);
        assertTrue(listing.contains("batch/cell0003.png\tmono\tcrack"), listing);
        assertTrue(ls.out().contains("\"modul\""), "an unmapped column stays an attribute: " + ls);
    }

    private String lsStage(Path lib) {
        assertEquals(0, Dsv.run(lib, "commit", "-m", "batch").exitCode());
        CliResult ls = Dsv.run(lib, "ls");
        assertEquals(0, ls.exitCode(), ls.toString());
        return ls.out();
    }

    @Test
    void headerlessTabFileWithPositions() throws Exception {
        Path batch = tmp.resolve("batch");
        Images.copySample(batch, 2);
        Path file = tmp.resolve("labels.tsv");
        Files.writeString(file, "crack\tcell0001.png\tpoly\n\n\tcell0002.png\tmono\n");
        Path lib = library("lib");
        CliResult r = Dsv.run(lib, "add", batch.toString(), "--labels", file.toString(), "--delimiter", "tab",
                "--no-header", "--columns", "path=2,defects=1,cell_type=3", "--source", "production", "--labeler", "lab-01");
        assertEquals(0, r.exitCode(), r.toString());
        String listing = lsStage(lib);
        assertTrue(listing.contains("batch/cell0001.png\tpoly\tcrack"), listing);
        assertTrue(listing.contains("batch/cell0002.png\tmono\tnone"), listing);
    }

    @Test
    void columnsFileWithComments() throws Exception {
        Path batch = tmp.resolve("batch");
        Images.copySample(batch, 2);
        Path csv = tmp.resolve("labels.csv");
        Files.writeString(csv, "type,file,faults\npoly,cell0001.png,crack\nmono,cell0002.png,\n");
        Path mapping = tmp.resolve("columns.txt");
        Files.writeString(mapping, "# line-scanner export\ncell_type = type\n\npath=file\ndefects=faults\n");
        Path lib = library("lib");
        CliResult r = Dsv.run(lib, "add", batch.toString(), "--labels", csv.toString(), "--columns-file", mapping.toString(),
                "--source", "production", "--labeler", "lab-01");
        assertEquals(0, r.exitCode(), r.toString());
        String listing = lsStage(lib);
        assertTrue(listing.contains("batch/cell0001.png\tpoly\tcrack"), listing);
    }

    /** Runs an add that must fail with {@code exitCode}, name every text, and leave the library as it was. */
    private CliResult rejected(Path lib, int exitCode, List<String> texts, String... args) {
        Map<String, String> before = RepoSnapshot.of(lib);
        CliResult r = Dsv.run(lib, args);
        assertEquals(exitCode, r.exitCode(), r.toString());
        for (String text : texts) {
            assertTrue(r.err().contains(text), "message should name '" + text + "':\n" + r);
        }
        assertEquals(before, RepoSnapshot.of(lib), "a rejected add changed the repository");
        return r;
    }

    private String[] add(Path batch, Path labels, String... layout) {
        return concat(new String[] {"add", batch.toString(), "--labels", labels.toString(), "--source", "production",
            "--labeler", "lab-01"}, layout);
    }

    @Test
    void badLayoutsRejected() throws Exception {
        Path batch = tmp.resolve("batch");
        Images.copySample(batch, 2);
        Path lib = library("lib");
        Path csv = tmp.resolve("labels.csv");
        Files.writeString(csv, "type,file,faults\npoly,cell0001.png,crack\nmono,cell0002.png,\n");
        Path headerless = tmp.resolve("labels.txt");
        Files.writeString(headerless, "cell0001.png 1.0 poly\ncell0002.png 0.5\n");

        rejected(lib, 3, List.of(csv.toString(), "'fault'", "faults"),
                add(batch, csv, "--columns", "path=file,cell_type=type,defects=fault"));
        rejected(lib, 3, List.of(headerless + ":2", "column 3 (cell_type)", "2 values"),
                add(batch, headerless, "--no-header", "--delimiter", "whitespace", "--columns", "path=1,defects=2,cell_type=3",
                        "--map", "defects:*=defective"));
        rejected(lib, 3, List.of("'path'", "'1'", "'2'"),
                add(batch, headerless, "--no-header", "--delimiter", "whitespace", "--columns", "path=1,path=2"));
        rejected(lib, 3, List.of("'celltype'", "cell_type"),
                add(batch, csv, "--columns", "path=file,celltype=type"));
        rejected(lib, 3, List.of("'path=file'", "position"),
                add(batch, headerless, "--no-header", "--delimiter", "whitespace", "--columns", "path=file"));
        rejected(lib, 3, List.of("'faults'", "defects"),
                add(batch, csv, "--columns", "path=file,cell_type=type,faults=faults"));
        Path withCellType = tmp.resolve("both.csv");
        Files.writeString(withCellType, "cell_type,type,file\npoly,poly,cell0001.png\nmono,mono,cell0002.png\n");
        rejected(lib, 3, List.of(withCellType.toString(), "'cell_type'", "'type'"),
                add(batch, withCellType, "--columns", "path=file,cell_type=type"));
        rejected(lib, 3, List.of(headerless + ":1", "column 2 (defects)", "'1.0'", "0="),
                add(batch, headerless, "--no-header", "--delimiter", "whitespace", "--columns", "path=1,defects=2",
                        "--cell-type", "mono", "--map", "defects:0="));
        rejected(lib, 3, List.of("'0.0'", "defects"),
                add(batch, headerless, "--no-header", "--delimiter", "whitespace", "--columns", "path=1,defects=2",
                        "--map", "defects:0.0=", "--map", "defects:0.0=defective"));
        rejected(lib, 3, List.of(csv.toString(), "split", "cell_type"),
                add(batch, csv, "--columns", "path=file,cell_type=type,defects=faults", "--map", "split:a=train"));
        rejected(lib, 3, List.of("'pipe'", "whitespace"),
                add(batch, csv, "--delimiter", "pipe", "--columns", "path=file"));
        rejected(lib, 3, List.of("'defects'"),
                add(batch, csv, "--columns", "path=file", "--map", "defects"));
        Path mapping = tmp.resolve("columns.txt");
        Files.writeString(mapping, "path=file\ncell_type\n");
        rejected(lib, 3, List.of(mapping + ":2", "'cell_type'"),
                add(batch, csv, "--columns-file", mapping.toString()));
        rejected(lib, 3, List.of(tmp.resolve("missing.txt").toString()),
                add(batch, csv, "--columns-file", tmp.resolve("missing.txt").toString()));
    }

    @Test
    void layoutUsageErrors() throws Exception {
        Path batch = tmp.resolve("batch");
        Images.copySample(batch, 2);
        Path lib = library("lib");
        Path csv = tmp.resolve("labels.csv");
        Files.writeString(csv, "file,type\ncell0001.png,poly\ncell0002.png,mono\n");
        Path mapping = tmp.resolve("columns.txt");
        Files.writeString(mapping, "path=file\n");
        rejected(lib, 2, List.of("--no-header"), add(batch, csv, "--no-header"));
        rejected(lib, 2, List.of("--columns-file"),
                add(batch, csv, "--columns", "path=file", "--columns-file", mapping.toString()));
        rejected(lib, 2, List.of("--labels"), "add", batch.toString(), "--columns", "path=file", "--cell-type", "mono",
                "--source", "production", "--labeler", "lab-01");
    }
}

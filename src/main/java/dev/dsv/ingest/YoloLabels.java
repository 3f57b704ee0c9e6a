package dev.dsv.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.error.Problem;
import dev.dsv.model.CanonicalJson;
import dev.dsv.model.Times;
import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads a folder of YOLO label files as label rows, one per file. A line is
 * {@code class cx cy w h} (a box) or {@code class x1 y1 x2 y2 x3 y3 ...} (a polygon), with
 * coordinates normalized to [0, 1] by the image size; an empty file means no defect. Class ids
 * are line numbers of the class-names file, from 0. When the folder has a {@code labels}
 * subfolder (the Ultralytics tree that {@code dsv export --format yolo} writes), label files are
 * {@code labels/SPLIT/PATH.txt}, or {@code labels/PATH.txt} directly inside it. Otherwise every
 * {@code .txt} file below the folder is one, at {@code PATH.txt}. PATH, without its extension,
 * names the staged image.
 */
public final class YoloLabels {
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * How far a normalized coordinate may lie outside [0, 1] and still be read, clamped to the
     * edge. A box touching the edge, written as center and size each rounded to 6 places (as
     * dsv's YOLO export does), can have an edge up to 1e-6 outside.
     */
    static final BigDecimal EDGE_TOLERANCE = new BigDecimal("0.000001");

    private final Path dir;
    private final Path namesFile;
    private final CategoryMap categories;
    private final StagedImages staged;
    private final boolean fileTime;

    /** Creates a reader. With {@code fileTime} each file's modification time is its labeled-at time. */
    public YoloLabels(Path dir, Path namesFile, CategoryMap categories, StagedImages staged, boolean fileTime) {
        this.dir = dir;
        this.namesFile = namesFile;
        this.categories = categories;
        this.staged = staged;
        this.fileTime = fileTime;
    }

    /** Reads every label file; problems name the file and line. */
    public List<LabelRow> read(List<Problem> problems) {
        if (!Files.isDirectory(dir)) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.yolo.notFolder", dir);
        }
        List<String> names = readNames();
        List<LabelRow> rows = new ArrayList<>();
        for (LabelFile f : labelFiles()) {
            LabelRow row = readFile(f.stem(), f.file(), names, problems);
            if (row != null) {
                rows.add(row);
            }
        }
        return rows;
    }

    /** Returns the class names, one per line; a blank line inside the list is exit 3. */
    private List<String> readNames() {
        List<String> lines = readLines(namesFile);
        int end = lines.size();
        while (end > 0 && lines.get(end - 1).isBlank()) {
            end--;
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < end; i++) {
            String name = CanonicalJson.nfc(lines.get(i).replace("\uFEFF", "").strip());
            if (name.isEmpty()) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.yolo.blankName", namesFile + ":" + (i + 1));
            }
            names.add(name);
        }
        if (names.isEmpty()) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.labels.empty", namesFile);
        }
        return names;
    }

    /** A label file and the dataset path, without extension, of the image it labels. */
    private record LabelFile(String stem, Path file) {
    }

    /** Returns the label files in path order. */
    private List<LabelFile> labelFiles() {
        Path labels = dir.resolve("labels");
        boolean tree = Files.isDirectory(labels);
        Path root = tree ? labels : dir;
        List<LabelFile> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(f -> Files.isRegularFile(f) && f.getFileName().toString().endsWith(".txt"))
                    .sorted().toList()) {
                if (p.toAbsolutePath().normalize().equals(namesFile.toAbsolutePath().normalize())) {
                    continue;
                }
                String rel = root.relativize(p).toString().replace('\\', '/');
                int slash = rel.indexOf('/');
                if (tree && slash >= 0) {
                    rel = rel.substring(slash + 1);
                }
                files.add(new LabelFile(CanonicalJson.nfc(rel.substring(0, rel.length() - ".txt".length())), p));
            }
        } catch (IOException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.labels.unreadable", root, String.valueOf(e.getMessage()));
        }
        return files;
    }

    private LabelRow readFile(String stem, Path file, List<String> names, List<Problem> problems) {
        List<String> paths = staged.pathsWithStem(stem);
        if (paths.isEmpty()) {
            problems.add(new Problem("error.yolo.imageAbsent", file, stem));
            return null;
        }
        if (paths.size() > 1) {
            problems.add(new Problem("error.yolo.ambiguous", file, String.join(", ", paths)));
            return null;
        }
        String path = paths.get(0);
        ImageSize size = staged.size(path);
        Map<String, ArrayNode> byDefect = new LinkedHashMap<>();
        List<String> lines = readLines(file);
        int before = problems.size();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (!line.isEmpty()) {
                readLine(line, file + ":" + (i + 1), names, size, byDefect, problems);
            }
        }
        if (problems.size() > before) {
            return null;
        }
        ArrayNode all = JSON.createArrayNode();
        byDefect.values().forEach(all::addAll);
        return new LabelRow(file + " (" + path + ")", null, path, null, null, new ArrayList<>(byDefect.keySet()),
                all.isEmpty() ? null : all.toString(), null, null, null, fileTime ? modificationTime(file) : null, null, null,
                CanonicalJson.newObject(), null);
    }

    /** Reads one label line into {@code byDefect}, or adds a problem naming {@code where}. */
    private void readLine(String line, String where, List<String> names, ImageSize size,
                          Map<String, ArrayNode> byDefect, List<Problem> problems) {
        String[] tokens = line.split("\\s+");
        List<BigDecimal> values = new ArrayList<>();
        int classId;
        try {
            classId = Integer.parseInt(tokens[0]);
            for (int t = 1; t < tokens.length; t++) {
                values.add(CanonicalJson.parseModest(tokens[t]));
            }
        } catch (NumberFormatException e) {
            problems.add(new Problem("error.yolo.malformedLine", where, line));
            return;
        }
        if (values.size() != 4 && (values.size() < 6 || values.size() % 2 != 0)) {
            problems.add(new Problem("error.yolo.malformedLine", where, line));
            return;
        }
        if (classId < 0 || classId >= names.size()) {
            problems.add(new Problem("error.yolo.unknownClass", where, classId, namesFile, names.size(), names.size() - 1));
            return;
        }
        String defect = categories.defectOf(names.get(classId), where, problems);
        if (defect == null) {
            return;
        }
        ObjectNode region = region(values, BigDecimal.valueOf(size.width()), BigDecimal.valueOf(size.height()), where,
                problems);
        if (region != null) {
            region.put("defect", defect);
            byDefect.computeIfAbsent(defect, k -> JSON.createArrayNode()).add(region);
        }
    }

    /** Converts one line's normalized values to a pixel box or polygon; null after a problem. */
    private static ObjectNode region(List<BigDecimal> values, BigDecimal width, BigDecimal height, String where,
                                     List<Problem> problems) {
        ObjectNode region = JSON.createObjectNode();
        BigDecimal two = BigDecimal.valueOf(2);
        if (values.size() == 4) {
            if (values.get(2).signum() <= 0 || values.get(3).signum() <= 0) {
                problems.add(new Problem("error.yolo.emptyBox", where));
                return null;
            }
            BigDecimal x0 = unit(values.get(0).subtract(values.get(2).divide(two)));
            BigDecimal y0 = unit(values.get(1).subtract(values.get(3).divide(two)));
            BigDecimal x1 = unit(values.get(0).add(values.get(2).divide(two)));
            BigDecimal y1 = unit(values.get(1).add(values.get(3).divide(two)));
            if (x0 == null || y0 == null || x1 == null || y1 == null) {
                problems.add(new Problem("error.yolo.outOfBounds", where));
                return null;
            }
            region.putArray("box").add(x0.multiply(width)).add(y0.multiply(height))
                    .add(x1.subtract(x0).multiply(width)).add(y1.subtract(y0).multiply(height));
            return region;
        }
        ArrayNode points = region.putArray("polygon");
        for (int k = 0; k < values.size(); k += 2) {
            BigDecimal x = unit(values.get(k));
            BigDecimal y = unit(values.get(k + 1));
            if (x == null || y == null) {
                problems.add(new Problem("error.yolo.outOfBounds", where));
                return null;
            }
            points.addArray().add(x.multiply(width)).add(y.multiply(height));
        }
        return region;
    }

    /**
     * Returns a normalized coordinate clamped to [0, 1], or null when it lies further outside than
     * {@link #EDGE_TOLERANCE}.
     */
    private static BigDecimal unit(BigDecimal v) {
        if (v.compareTo(EDGE_TOLERANCE.negate()) < 0 || v.compareTo(BigDecimal.ONE.add(EDGE_TOLERANCE)) > 0) {
            return null;
        }
        return v.max(BigDecimal.ZERO).min(BigDecimal.ONE);
    }

    /** Returns a file's modification time in UTC as a labeled-at time; the file must exist. */
    public static String modificationTime(Path file) {
        try {
            return Times.format(Files.getLastModifiedTime(file).toInstant().atOffset(ZoneOffset.UTC));
        } catch (IOException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.labels.unreadable", file, String.valueOf(e.getMessage()));
        }
    }

    private static List<String> readLines(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.labels.notFound", file);
        }
        List<String> lines = new ArrayList<>();
        try (Reader reader = DsvCsvLabels.utf8Reader(file);
             java.io.BufferedReader in = new java.io.BufferedReader(reader)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lines.add(line);
            }
        } catch (CharacterCodingException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.labels.notUtf8", file);
        } catch (IOException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.labels.unreadable", file, String.valueOf(e.getMessage()));
        }
        return lines;
    }
}

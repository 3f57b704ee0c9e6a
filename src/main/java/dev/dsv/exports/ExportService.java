package dev.dsv.exports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.index.ImageFilter;
import dev.dsv.index.ImageRow;
import dev.dsv.model.ObjectId;
import dev.dsv.service.LsService;
import dev.dsv.service.Progress;
import dev.dsv.service.Session;
import dev.dsv.store.AtomicFiles;
import dev.dsv.store.StoreIOException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * {@code dsv export}: writes the images of a commit that match a filter, with a manifest, into a
 * new folder (atomically) or, with sync, updates an earlier export in place. Every byte written
 * is checked against its object id. See docs/design.md, "Export".
 */
public final class ExportService {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** An export request: revision, filter, target folder, manifest format, link mode, sync. */
    public record Request(String revision, ImageFilter filter, Path target, ManifestFormat format, LinkMode link,
                          boolean sync) {
    }

    /** Counts of an export: files written, kept unchanged (sync), deleted (sync), and bytes written. */
    public record Result(ObjectId commit, Path target, int images, int written, int kept, int deleted, long bytes,
                         LinkMode link) {
    }

    private final Session session;
    private final Progress progress;

    public ExportService(Session session, Progress progress) {
        this.session = session;
        this.progress = progress;
    }

    /** The images a commit and filter select, in dataset-path order. */
    record Selection(ObjectId commit, ImageFilter filter, List<ImageRow> rows) {
    }

    Selection select(String revision, ImageFilter rawFilter) {
        LsService ls = new LsService(session);
        ImageFilter filter = ls.normalize(rawFilter);
        ObjectId commit = session.resolve(revision);
        ObjectId tree = ls.treeAt(commit.hex());
        List<ImageRow> rows = new ArrayList<>();
        ls.list(tree, filter, rows::add);
        return new Selection(commit, filter, rows);
    }

    /**
     * Fetches the selected blobs that a partial clone holds as absent by design from its remote,
     * so that an export of another subset works; fails naming the images when that is impossible.
     */
    private void fetchAbsentBlobs(Selection selection) {
        var store = session.repository().store();
        java.util.Map<ObjectId, String> absent = new java.util.LinkedHashMap<>();
        for (ImageRow row : selection.rows()) {
            ObjectId blob = ObjectId.parse(row.blob());
            if (store.state(blob) == dev.dsv.store.ObjectState.ABSENT_BY_DESIGN) {
                absent.putIfAbsent(blob, row.path());
            }
        }
        new dev.dsv.remote.FetchService(session).fetchAbsent(absent);
    }

    public Result export(Request r) {
        Path target = r.target().toAbsolutePath().normalize();
        if (target.startsWith(session.repository().dsvDir())) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.export.insideRepository", target);
        }
        Selection selection = select(r.revision(), r.filter());
        fetchAbsentBlobs(selection);
        if (r.sync()) {
            return sync(r, target, selection);
        }
        if (Files.exists(target) && (!Files.isDirectory(target) || !isEmpty(target))) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.export.notEmpty", target);
        }
        Path parent = target.getParent();
        Path tmp = parent.resolve("." + target.getFileName() + ".dsv-export-" + UUID.randomUUID());
        try {
            Files.createDirectories(tmp);
            long bytes = 0;
            progress.start("export", selection.rows().size());
            for (ImageRow row : selection.rows()) {
                bytes += writeImage(tmp, row, r.link());
                progress.advance(1);
            }
            progress.finish();
            writeManifestAndMetadata(tmp, selection, r.format(), r.link(), "complete");
            Files.deleteIfExists(target);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            AtomicFiles.syncDirectory(parent);
            return new Result(selection.commit(), target, selection.rows().size(), selection.rows().size(), 0, 0, bytes,
                    r.link());
        } catch (IOException e) {
            throw StoreIOException.of(target, e);
        } finally {
            deleteTree(tmp);
        }
    }

    /** Writes one image below {@code root}; returns the bytes written (0 for a link). */
    private long writeImage(Path root, ImageRow row, LinkMode link) throws IOException {
        Path file = ExportLayout.target(root, row.path());
        Files.createDirectories(file.getParent());
        ObjectId blob = ObjectId.parse(row.blob());
        Path tmp = file.resolveSibling(".dsv-tmp-" + UUID.randomUUID());
        try {
            long bytes = 0;
            if (link == LinkMode.HARDLINK) {
                Path cached = new LinkCache(session.repository().dsvDir().resolve("objects"),
                        session.repository().store()).ensure(blob);
                try {
                    Files.createLink(tmp, cached);
                } catch (java.nio.file.FileSystemException e) {
                    throw new DsvException(ExitCode.INVALID_INPUT, e, "error.export.linkFailed", root,
                            String.valueOf(e.getReason()));
                }
            } else {
                bytes = LinkCache.copyChecked(session.repository().store(), blob, tmp);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return bytes;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private void writeManifestAndMetadata(Path root, Selection s, ManifestFormat format, LinkMode link, String state)
            throws IOException {
        String manifest = Manifest.render(format, s.rows(), s.commit().hex());
        AtomicFiles.write(root.resolve(format.fileName()), manifest.getBytes(StandardCharsets.UTF_8));
        writeMetadata(root, s, format, link, state);
    }

    private void writeMetadata(Path root, Selection s, ManifestFormat format, LinkMode link, String state)
            throws IOException {
        ObjectNode meta = JSON.createObjectNode();
        meta.put("schema_version", 1);
        meta.put("repository", session.repository().config().repositoryId());
        meta.put("commit", s.commit().hex());
        Map<String, String> filter = new LinkedHashMap<>();
        filter.put("cell_type", s.filter().cellType());
        filter.put("defect", s.filter().defect());
        filter.put("split", s.filter().split());
        filter.put("source", s.filter().source());
        filter.put("path", s.filter().pathPrefix());
        meta.set("filter", JSON.valueToTree(filter));
        meta.put("manifest", format.fileName());
        meta.put("link", link.name().toLowerCase(java.util.Locale.ROOT));
        meta.put("images", s.rows().size());
        meta.put("state", state);
        AtomicFiles.write(root.resolve(ExportLayout.METADATA), JSON.writeValueAsBytes(meta));
    }

    /** The metadata of an existing export folder. */
    record Metadata(String repository, ObjectId commit, ImageFilter filter, ManifestFormat format, String state) {
    }

    static Metadata readMetadata(Path dir) {
        Path file = dir.resolve(ExportLayout.METADATA);
        try {
            JsonNode n = JSON.readTree(file.toFile());
            JsonNode f = n.path("filter");
            ImageFilter filter = new ImageFilter(text(f, "cell_type"), text(f, "defect"), text(f, "split"),
                    text(f, "source"), text(f, "path"));
            ManifestFormat format = n.path("manifest").asText().equals(ManifestFormat.JSONL.fileName())
                    ? ManifestFormat.JSONL : ManifestFormat.CSV;
            return new Metadata(text(n, "repository"), ObjectId.parse(n.path("commit").asText()), filter, format,
                    n.path("state").asText());
        } catch (IOException | RuntimeException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.export.notAnExport", dir, ExportLayout.METADATA);
        }
    }

    private static String text(JsonNode n, String key) {
        return n.hasNonNull(key) ? n.get(key).asText() : null;
    }

    /** Brings an earlier export up to the selection, writing only what changed. */
    private Result sync(Request r, Path target, Selection selection) {
        if (!Files.isDirectory(target)) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.export.syncTarget", target);
        }
        Metadata old = readMetadata(target);
        String repositoryId = session.repository().config().repositoryId();
        if (old.repository() != null && repositoryId != null && !old.repository().equals(repositoryId)) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.export.otherRepository", target);
        }
        try {
            Map<String, String> before = manifestHashes(target, old.format());
            List<String> foreign = new ArrayList<>();
            for (ImageRow row : selection.rows()) {
                if (!before.containsKey(row.path()) && Files.exists(ExportLayout.target(target, row.path()))) {
                    foreign.add(row.path());
                }
            }
            if (!foreign.isEmpty()) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.export.syncForeign", target,
                        String.join(", ", foreign.subList(0, Math.min(10, foreign.size()))), foreign.size());
            }
            writeMetadata(target, selection, r.format(), r.link(), "syncing");
            int written = 0;
            int kept = 0;
            long bytes = 0;
            Map<String, Boolean> wanted = new HashMap<>();
            progress.start("export", selection.rows().size());
            for (ImageRow row : selection.rows()) {
                wanted.put(row.path(), true);
                Path file = ExportLayout.target(target, row.path());
                if (row.blob().equals(before.get(row.path())) && Files.isRegularFile(file)
                        && LinkCache.hashFile(file).hex().equals(row.blob())) {
                    kept++;
                } else {
                    bytes += writeImage(target, row, r.link());
                    written++;
                }
                progress.advance(1);
            }
            progress.finish();
            int deleted = 0;
            for (String path : before.keySet()) {
                if (!wanted.containsKey(path)) {
                    Path file = ExportLayout.target(target, path);
                    if (Files.deleteIfExists(file)) {
                        deleted++;
                    }
                    removeEmptyParents(target, file.getParent());
                }
            }
            if (r.format() != old.format()) {
                Files.deleteIfExists(target.resolve(old.format().fileName()));
            }
            writeManifestAndMetadata(target, selection, r.format(), r.link(), "complete");
            return new Result(selection.commit(), target, selection.rows().size(), written, kept, deleted, bytes, r.link());
        } catch (IOException e) {
            throw StoreIOException.of(target, e);
        }
    }

    /** Reads dataset path and sha256 of every row of an export's manifest. */
    static Map<String, String> manifestHashes(Path dir, ManifestFormat format) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        Path file = dir.resolve(format.fileName());
        if (!Files.isRegularFile(file)) {
            return out;
        }
        if (format == ManifestFormat.JSONL) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    JsonNode n = JSON.readTree(line);
                    out.put(n.path("dataset_path").asText(), n.path("sha256").asText());
                }
            }
            return out;
        }
        var mapper = new com.fasterxml.jackson.dataformat.csv.CsvMapper();
        try (var it = mapper.readerFor(Map.class).with(com.fasterxml.jackson.dataformat.csv.CsvSchema.emptySchema().withHeader())
                .<Map<String, String>>readValues(file.toFile())) {
            while (it.hasNext()) {
                Map<String, String> row = it.next();
                out.put(row.get("dataset_path"), row.get("sha256"));
            }
        }
        return out;
    }

    private static void removeEmptyParents(Path root, Path dir) throws IOException {
        Path d = dir;
        while (d != null && !d.equals(root) && d.startsWith(root) && isEmpty(d)) {
            Files.delete(d);
            d = d.getParent();
        }
    }

    static boolean isEmpty(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // A leftover temporary folder starts with a dot and never looks like an export.
        }
    }
}

package dev.dsv.exports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.index.ImageFilter;
import dev.dsv.index.ImageRow;
import dev.dsv.ingest.ImageSize;
import dev.dsv.model.ObjectId;
import dev.dsv.quality.ReviewLog;
import dev.dsv.service.LsService;
import dev.dsv.service.MetaKinds;
import dev.dsv.service.Progress;
import dev.dsv.service.PurgeService;
import dev.dsv.service.Session;
import dev.dsv.service.VocabularyMapper;
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
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * {@code dsv export}: writes the images of a commit that match a filter, with a manifest, into a
 * new folder (atomically) or, with sync, updates an earlier export in place. Every byte written
 * is checked against its object id. See docs/design.md, "Export".
 */
public final class ExportService {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * An export request: revision, filter, target folder, manifest format, link mode, sync, and
     * the reason for skipping the synthetic-data rules ({@code --no-policy}), or null to apply them,
     * whether images whose label in force a verifier rejected are exported too, and the feature
     * sets whose vectors the JSONL manifest carries, and where images and annotation files go.
     */
    public record Request(String revision, ImageFilter filter, Path target, ManifestFormat format, LinkMode link,
                          boolean sync, boolean currentVocabulary, String noPolicyReason, boolean includeRejected,
                          List<String> features, ExportShape shape) {
        /** A request for images at their dataset paths. */
        public Request(String revision, ImageFilter filter, Path target, ManifestFormat format, LinkMode link,
                       boolean sync, boolean currentVocabulary, String noPolicyReason, boolean includeRejected,
                       List<String> features) {
            this(revision, filter, target, format, link, sync, currentVocabulary, noPolicyReason, includeRejected,
                    features, ExportShape.DIR);
        }

        /**
         * A request that keeps the defect names as the commit has them, applies the synthetic-data
         * rules and leaves rejected images out.
         */
        public Request(String revision, ImageFilter filter, Path target, ManifestFormat format, LinkMode link,
                       boolean sync) {
            this(revision, filter, target, format, link, sync, false, null, false, List.of(), ExportShape.DIR);
        }
    }

    /**
     * Counts of an export: files written, kept unchanged (sync), deleted (sync), bytes written, and
     * the selected images whose label in force was rejected in review (left out unless included).
     * {@code regionlessDropped} lists the exported images whose defect types without regions the
     * annotation files leave out, in dataset-path order.
     */
    public record Result(ObjectId commit, Path target, int images, int written, int kept, int deleted, long bytes,
                         LinkMode link, int rejected, boolean includeRejected, List<String> regionlessDropped) {
        /** Returns the number of rejected images left out of the export. */
        public int rejectedExcluded() {
            return includeRejected ? 0 : rejected;
        }
    }

    private final Session session;
    private final Progress progress;

    public ExportService(Session session, Progress progress) {
        this.session = session;
        this.progress = progress;
    }

    /**
     * The images a commit and filter select, in dataset-path order. {@code vocabulary} lists the
     * vocabulary changes applied to the defect names, or is null when names are as recorded;
     * {@code policy} is the outcome of the synthetic-data rules, or null when they were not run.
     * {@code rejected} lists the selected paths whose label in force was rejected in review; they
     * are in {@code rows} only when {@code includeRejected} is set. {@code purged} lists the
     * paths that {@code dsv purge} removed from an existing export folder, never in {@code rows}.
     */
    record Selection(ObjectId commit, ImageFilter filter, List<ImageRow> rows, List<ObjectId> vocabulary,
                     ExportPolicy.Outcome policy, List<String> rejected, boolean includeRejected,
                     List<String> purged) {
        Selection(ObjectId commit, ImageFilter filter, List<ImageRow> rows) {
            this(commit, filter, rows, null, null, List.of(), true, List.of());
        }

        Selection withPolicy(ExportPolicy.Outcome outcome) {
            return new Selection(commit, filter, rows, vocabulary, outcome, rejected, includeRejected, purged);
        }

        Selection withRows(List<ImageRow> kept, List<String> rejectedPaths, boolean include) {
            return new Selection(commit, filter, kept, vocabulary, policy, rejectedPaths, include, purged);
        }

        /** Leaves out the rows at {@code paths} and records them as purged, sorted. */
        Selection withoutPurged(java.util.Collection<String> paths) {
            if (paths.isEmpty()) {
                return this;
            }
            Set<String> skip = new java.util.TreeSet<>(paths);
            skip.addAll(purged);
            List<ImageRow> kept = rows.stream().filter(r -> !skip.contains(r.path())).toList();
            return new Selection(commit, filter, kept, vocabulary, policy, rejected, includeRejected,
                    List.copyOf(skip));
        }
    }

    /**
     * Selects the images; with {@code currentVocabulary} defect names are mapped to today's, and
     * {@code fixedChanges} (from an earlier export's metadata) pins which changes are applied.
     */
    Selection select(String revision, ImageFilter rawFilter, boolean currentVocabulary, List<ObjectId> fixedChanges) {
        LsService ls = new LsService(session);
        ImageFilter filter = ls.normalize(rawFilter);
        ObjectId commit = session.resolve(revision);
        ObjectId tree = ls.treeAt(commit.hex());
        VocabularyMapper mapper = VocabularyMapper.IDENTITY;
        if (fixedChanges != null) {
            mapper = VocabularyMapper.forChanges(session, fixedChanges);
        } else if (currentVocabulary) {
            mapper = VocabularyMapper.forCommit(session, commit);
        }
        List<ImageRow> rows = new ArrayList<>();
        ls.list(tree, filter, mapper, rows::add);
        return new Selection(commit, filter, rows,
                fixedChanges != null || currentVocabulary ? mapper.changeIds() : null, null, List.of(), true,
                List.of());
    }

    /**
     * Returns the selection an existing export folder holds: its commit and filter, less the
     * rejected and purged paths its metadata records.
     */
    Selection recorded(Metadata meta) {
        return recordedWithPurged(meta).withoutPurged(meta.purgedPaths());
    }

    /**
     * Returns the selection an existing export folder held before any purge: its commit and
     * filter, less only the rejected paths. An interrupted purge or sync has already recorded the
     * purged paths while their files may still be in the folder.
     */
    Selection recordedWithPurged(Metadata meta) {
        Selection all = select(meta.commit().hex(), meta.filter(), false, meta.vocabulary());
        return withoutPaths(all, meta.rejectedPaths(), meta.includeRejected());
    }

    /**
     * Leaves out the rows whose blob {@code dsv purge} removed from the local store and records
     * their paths as purged, as the purge does when it rewrites an export folder.
     */
    Selection withoutLocallyPurged(Selection s) {
        var store = session.repository().store();
        Map<ObjectId, String> absent = store.absentObjects();
        List<String> purged = new ArrayList<>();
        for (ImageRow row : s.rows()) {
            ObjectId blob = ObjectId.parse(row.blob());
            if (PurgeService.ABSENT_REASON.equals(absent.get(blob))
                    && store.state(blob) == dev.dsv.store.ObjectState.ABSENT_BY_DESIGN) {
                purged.add(row.path());
            }
        }
        return s.withoutPurged(purged);
    }

    /** Leaves out the rows whose label in force has a reject decision, unless they are requested. */
    Selection withoutRejected(Selection s, boolean includeRejected) {
        Set<ObjectId> rejected = ReviewLog.read(session).rejectedLabels();
        List<ImageRow> kept = new ArrayList<>();
        List<String> left = new ArrayList<>();
        for (ImageRow row : s.rows()) {
            boolean isRejected = rejected.contains(ObjectId.parse(row.label()));
            if (isRejected) {
                left.add(row.path());
            }
            if (!isRejected || includeRejected) {
                kept.add(row);
            }
        }
        return s.withRows(kept, left, includeRejected);
    }

    /** Leaves out the paths an earlier export recorded as rejected, so a re-check sees the same selection. */
    static Selection withoutPaths(Selection s, List<String> paths, boolean includeRejected) {
        Set<String> skip = includeRejected ? Set.of() : new java.util.HashSet<>(paths);
        List<ImageRow> kept = s.rows().stream().filter(r -> !skip.contains(r.path())).toList();
        return s.withRows(kept, List.copyOf(paths), includeRejected);
    }

    /**
     * Fetches the selected blobs that a partial clone holds as absent by design from its remote,
     * so that an export of another subset works; fails naming the images when that is impossible.
     * An image whose blob has a {@code purge} record fails too. That includes a clone that still
     * has the bytes because it learned of the purge by fetch or push.
     */
    private void fetchAbsentBlobs(Selection selection) {
        var store = session.repository().store();
        java.util.Map<ObjectId, String> absent = new java.util.LinkedHashMap<>();
        List<dev.dsv.error.Problem> purged = new ArrayList<>();
        Map<ObjectId, dev.dsv.model.MetaRecord> purges = session.index().countMeta(MetaKinds.PURGE) == 0
                ? Map.of() : PurgeService.records(session);
        for (ImageRow row : selection.rows()) {
            ObjectId blob = ObjectId.parse(row.blob());
            dev.dsv.model.MetaRecord record = purges.get(blob);
            boolean absentHere = store.state(blob) == dev.dsv.store.ObjectState.ABSENT_BY_DESIGN;
            if (record != null || absentHere && PurgeService.ABSENT_REASON.equals(store.absentObjects().get(blob))) {
                purged.add(new dev.dsv.error.Problem("error.export.purgedImage", row.path(), blob.hex(),
                        record == null ? "-" : String.valueOf(record.body().get("reason"))));
            } else if (absentHere) {
                absent.putIfAbsent(blob, row.path());
            }
        }
        if (!purged.isEmpty()) {
            throw new DsvException(ExitCode.INTEGRITY, "error.export.purged", purged.size())
                    .withProblems(purged.subList(0, Math.min(50, purged.size())));
        }
        new dev.dsv.remote.FetchService(session).fetchAbsent(absent);
    }

    public Result export(Request r) {
        Path target = r.target().toAbsolutePath().normalize();
        if (target.startsWith(session.repository().dsvDir())) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.export.insideRepository", target);
        }
        if (!r.features().isEmpty() && r.format() != ManifestFormat.JSONL) {
            throw new DsvException(ExitCode.USAGE, "error.export.featuresNeedJsonl");
        }
        r.features().forEach(dev.dsv.service.FeaturesService::requireName);
        // Read before anything is written: a list that cannot be read would fail the export only
        // after the folder was complete, and leave a folder that no purge reaches.
        new ExportFolders(session.repository()).list();
        Selection selection = withoutRejected(select(r.revision(), r.filter(), r.currentVocabulary(), null),
                r.includeRejected());
        selection = selection.withPolicy(new ExportPolicy(session).check(selection.rows(), r.noPolicyReason()));
        r.shape().check(selection.rows());
        checkFeatureSets(r.features(), selection.rows());
        if (r.sync()) {
            // An existing folder loses purged images as a purge would remove them; a new export of them fails.
            selection = withoutLocallyPurged(selection);
        }
        fetchAbsentBlobs(selection);
        Result result = r.sync() ? sync(r, target, selection)
                : writeNew(target, selection, r.format(), r.link(), r.features(), r.shape());
        new ExportLog(session).record("export", selection.commit(), filterMap(selection), result, r.format(),
                r.shape(), r.sync(), r.features(), new ExportFolders(session.repository()));
        return result;
    }

    /**
     * Rejects a feature set named twice, or one that no selected image has: the manifest would
     * carry nothing but nulls for it, which is almost always a misspelt name.
     */
    private static void checkFeatureSets(List<String> features, List<ImageRow> rows) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (String name : features) {
            if (!seen.add(name)) {
                throw new DsvException(ExitCode.USAGE, "error.export.featuresTwice", name);
            }
            if (!rows.isEmpty() && rows.stream().noneMatch(row -> row.features().containsKey(name))) {
                java.util.Set<String> present = new java.util.TreeSet<>();
                rows.forEach(row -> present.addAll(row.features().keySet()));
                throw new DsvException(ExitCode.INVALID_INPUT, "error.export.featuresUnknown", name,
                        present.isEmpty() ? "-" : String.join(", ", present));
            }
        }
    }

    /**
     * Writes chosen rows (images at their dataset paths, with a manifest) into a new folder,
     * atomically, as an export does. {@code dsv review sample --export} uses it for the sampled
     * images; {@code dsv export --verify} cannot re-check such a folder, since no filter names it.
     */
    public Result exportRows(ObjectId commit, List<ImageRow> rows, Path target, ManifestFormat format, LinkMode link) {
        Path absolute = target.toAbsolutePath().normalize();
        if (absolute.startsWith(session.repository().dsvDir())) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.export.insideRepository", absolute);
        }
        Selection selection = new Selection(commit, ImageFilter.ALL, rows);
        Result result = writeNew(absolute, selection, format, link, List.of(), ExportShape.DIR);
        new ExportLog(session).record("review sample", commit, filterMap(selection), result, format, ExportShape.DIR,
                false, List.of(), null);
        return result;
    }

    private Result writeNew(Path target, Selection selection, ManifestFormat format, LinkMode link,
                            List<String> features, ExportShape shape) {
        if (Files.exists(target) && (!Files.isDirectory(target) || !isEmpty(target))) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.export.notEmpty", target);
        }
        Path parent = target.getParent();
        Path tmp = parent.resolve("." + target.getFileName() + ".dsv-export-" + UUID.randomUUID());
        try {
            Files.createDirectories(tmp);
            long bytes = 0;
            progress.start("export", selection.rows().size());
            Map<String, ImageSize> sizes = new HashMap<>();
            for (ImageRow row : selection.rows()) {
                Path file = ExportLayout.target(tmp, shape.location(row));
                bytes += writeImage(file, row, link);
                if (shape.needsSizes()) {
                    sizes.put(row.path(), ImageSize.of(file));
                }
                progress.advance(1);
            }
            progress.finish();
            for (Map.Entry<String, byte[]> f : shape.annotationFiles(selection.rows(), sizes,
                    selection.commit().hex()).entrySet()) {
                Path file = ExportLayout.target(tmp, f.getKey());
                Files.createDirectories(file.getParent());
                AtomicFiles.write(file, f.getValue());
            }
            writeManifestAndMetadata(tmp, selection, format, link, "complete", features, shape);
            Files.deleteIfExists(target);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            AtomicFiles.syncDirectory(parent);
            return new Result(selection.commit(), target, selection.rows().size(), selection.rows().size(), 0, 0, bytes,
                    link, selection.rejected().size(), selection.includeRejected(), shape.regionlessDropped(selection.rows()));
        } catch (IOException e) {
            throw StoreIOException.of(target, e);
        } finally {
            deleteTree(tmp);
        }
    }

    /** Writes one image to {@code file}; returns the bytes written (0 for a link). */
    private long writeImage(Path file, ImageRow row, LinkMode link) throws IOException {
        Path folder = file.getParent();
        Files.createDirectories(folder);
        ObjectId blob = ObjectId.parse(row.blob());
        Path tmp = file.resolveSibling(".dsv-tmp-" + UUID.randomUUID());
        try {
            long bytes = 0;
            if (link == LinkMode.HARDLINK) {
                LinkCache cache = new LinkCache(session.repository().dsvDir().resolve("objects"),
                        session.repository().store());
                try {
                    cache.link(blob, tmp);
                } catch (java.nio.file.FileSystemException e) {
                    throw new DsvException(ExitCode.INVALID_INPUT, e, "error.export.linkFailed", folder,
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

    private void writeManifestAndMetadata(Path root, Selection s, ManifestFormat format, LinkMode link, String state,
                                          List<String> features, ExportShape shape) throws IOException {
        String manifest = Manifest.render(format, s.rows(), s.commit().hex(), features, session::readVector);
        AtomicFiles.write(root.resolve(format.fileName()), manifest.getBytes(StandardCharsets.UTF_8));
        writeMetadata(root, s, format, link, state, features, shape);
    }

    /** Returns the filter of a selection as {@code dsv-export.json} and the export log record it. */
    private static Map<String, Object> filterMap(Selection s) {
        Map<String, Object> filter = new LinkedHashMap<>();
        filter.put("cell_type", s.filter().cellType());
        filter.put("defect", s.filter().defect());
        filter.put("split", s.filter().split());
        filter.put("source", s.filter().source());
        filter.put("path", s.filter().pathPrefix());
        if (s.vocabulary() != null) {
            filter.put("vocabulary", s.vocabulary().stream().map(ObjectId::hex).toList());
        }
        return filter;
    }

    private void writeMetadata(Path root, Selection s, ManifestFormat format, LinkMode link, String state,
                               List<String> features, ExportShape shape) throws IOException {
        writeMetadata(root, metadataNode(s, format, link, state, features, shape));
    }

    static void writeMetadata(Path root, ObjectNode meta) throws IOException {
        AtomicFiles.write(root.resolve(ExportLayout.METADATA), JSON.writeValueAsBytes(meta));
    }

    /** Builds the content of {@code dsv-export.json} for a selection. */
    ObjectNode metadataNode(Selection s, ManifestFormat format, LinkMode link, String state, List<String> features,
                            ExportShape shape) {
        ObjectNode meta = JSON.createObjectNode();
        meta.put("schema_version", 1);
        meta.put("repository", session.repository().config().repositoryId());
        meta.put("commit", s.commit().hex());
        meta.set("filter", JSON.valueToTree(filterMap(s)));
        meta.put("manifest", format.fileName());
        if (shape != ExportShape.DIR) {
            meta.put("format", shape.formatName());
            meta.put("layout", shape.layoutName());
        }
        meta.put("link", link.name().toLowerCase(java.util.Locale.ROOT));
        meta.put("images", s.rows().size());
        meta.put("include_rejected", s.includeRejected());
        meta.put("rejected_excluded", s.includeRejected() ? 0 : s.rejected().size());
        meta.set("rejected_paths", JSON.valueToTree(s.rejected()));
        if (shape != ExportShape.DIR && shape != ExportShape.CLASSES) {
            meta.put("regionless_defects_dropped", shape.regionlessDropped(s.rows()).size());
        }
        meta.put("state", state);
        if (!features.isEmpty()) {
            meta.set("features", JSON.valueToTree(features));
        }
        if (s.policy() != null) {
            meta.set("policy", JSON.valueToTree(s.policy().toMetadata()));
        }
        // Written only after a purge, so that every other export keeps the bytes it always had.
        if (!s.purged().isEmpty()) {
            meta.set("purged_paths", JSON.valueToTree(s.purged()));
        }
        return meta;
    }

    /**
     * The metadata of an existing export folder; {@code features} lists the feature sets in its
     * manifest, {@code purgedPaths} the images {@code dsv purge} removed from it, and
     * {@code policy} is the recorded outcome of the synthetic-data rules, or null.
     */
    record Metadata(String repository, ObjectId commit, ImageFilter filter, ManifestFormat format, String state,
                    List<ObjectId> vocabulary, boolean includeRejected, List<String> rejectedPaths,
                    List<String> features, ExportShape shape, LinkMode link, List<String> purgedPaths,
                    JsonNode policy) {
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
            List<ObjectId> vocabulary = null;
            if (f.has("vocabulary")) {
                vocabulary = new ArrayList<>();
                for (JsonNode id : f.get("vocabulary")) {
                    vocabulary.add(ObjectId.parse(id.asText()));
                }
            }
            List<String> rejectedPaths = new ArrayList<>();
            n.path("rejected_paths").forEach(p -> rejectedPaths.add(p.asText()));
            List<String> features = new ArrayList<>();
            n.path("features").forEach(p -> features.add(p.asText()));
            List<String> purgedPaths = new ArrayList<>();
            n.path("purged_paths").forEach(p -> purgedPaths.add(p.asText()));
            LinkMode link = "hardlink".equals(text(n, "link")) ? LinkMode.HARDLINK : LinkMode.COPY;
            // An export written before review decisions existed has neither key and left nothing out.
            return new Metadata(text(n, "repository"), ObjectId.parse(n.path("commit").asText()), filter, format,
                    n.path("state").asText(), vocabulary, n.path("include_rejected").asBoolean(!n.has("rejected_paths")),
                    rejectedPaths, features, ExportShape.fromMetadata(text(n, "format"), text(n, "layout")), link,
                    purgedPaths, n.has("policy") ? n.get("policy") : null);
        } catch (IOException | RuntimeException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.export.notAnExport", dir, ExportLayout.METADATA);
        }
    }

    private static String text(JsonNode n, String key) {
        return n.hasNonNull(key) ? n.get(key).asText() : null;
    }

    /**
     * Brings an earlier export of the same shape up to the selection, after checking that the
     * folder is such an export of this repository.
     */
    private Result sync(Request r, Path target, Selection selection) {
        if (!Files.isDirectory(target)) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.export.syncTarget", target);
        }
        Metadata old = readMetadata(target);
        ExportShape shape = r.shape();
        if (old.shape() != shape) {
            throw new DsvException(ExitCode.USAGE, "error.export.syncShape", target, old.shape().formatName(),
                    old.shape().layoutName(), shape.formatName(), shape.layoutName());
        }
        String repositoryId = session.repository().config().repositoryId();
        if (old.repository() != null && repositoryId != null && !old.repository().equals(repositoryId)) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.export.otherRepository", target);
        }
        try {
            Update u = update(target, old, selection, r.format(), r.features(), r.link(),
                    state -> writeMetadata(target, selection, r.format(), r.link(), state, r.features(), shape));
            return new Result(selection.commit(), target, selection.rows().size(), u.written(), u.kept(),
                    u.deletedImages(), u.bytes(), r.link(), selection.rejected().size(), r.includeRejected(),
                    shape.regionlessDropped(selection.rows()));
        } catch (IOException e) {
            throw StoreIOException.of(target, e);
        }
    }

    /** Writes {@code dsv-export.json} of a folder being updated, in the state given. */
    interface MetadataWriter {
        void write(String state) throws IOException;
    }

    /**
     * Counts of an update: image files written, kept and deleted, bytes written, and every file
     * deleted (images and annotation files), relative to the folder, in deletion order.
     */
    record Update(int written, int kept, int deletedImages, long bytes, List<String> deletedFiles) {
    }

    /**
     * Brings the export {@code old} in {@code target} up to the selection, writing only the images
     * that changed and re-rendering the annotation files; {@code old} keeps its shape. The files
     * the earlier export wrote are its manifest's paths for {@code dir}, and for the other shapes
     * the image locations and annotation files of its own selection, recomputed from the commit
     * and filter it recorded. Files at new locations that the earlier export did not write are
     * rejected before anything changes.
     */
    Update update(Path target, Metadata old, Selection selection, ManifestFormat format, List<String> features,
                  LinkMode link, MetadataWriter metadata) throws IOException {
        ExportShape shape = old.shape();
        Map<String, String> before = new LinkedHashMap<>();
        Set<String> oldAnnotationFiles = new java.util.TreeSet<>();
        if (shape == ExportShape.DIR) {
            before.putAll(manifestHashes(target, old.format()));
        } else {
            // After an interrupted update the purged paths are recorded but their files may remain.
            Selection earlier = "syncing".equals(old.state()) ? recordedWithPurged(old) : recorded(old);
            earlier.rows().forEach(row -> before.put(shape.location(row), row.blob()));
            oldAnnotationFiles.addAll(shape.annotationFileNames(earlier.rows()));
        }
        Set<String> newAnnotationFiles = new java.util.HashSet<>(shape.annotationFileNames(selection.rows()));
        List<String> foreign = new ArrayList<>();
        for (ImageRow row : selection.rows()) {
            String location = shape.location(row);
            if (!before.containsKey(location) && Files.exists(ExportLayout.target(target, location))) {
                foreign.add(location);
            }
        }
        for (String file : newAnnotationFiles) {
            if (!oldAnnotationFiles.contains(file) && Files.exists(ExportLayout.target(target, file))) {
                foreign.add(file);
            }
        }
        if (!foreign.isEmpty()) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.export.syncForeign", target,
                    String.join(", ", foreign.subList(0, Math.min(10, foreign.size()))), foreign.size());
        }
        metadata.write("syncing");
        int written = 0;
        int kept = 0;
        long bytes = 0;
        Set<String> wanted = new java.util.HashSet<>();
        Map<String, ImageSize> sizes = new HashMap<>();
        progress.start("export", selection.rows().size());
        for (ImageRow row : selection.rows()) {
            String location = shape.location(row);
            wanted.add(location);
            Path file = ExportLayout.target(target, location);
            if (row.blob().equals(before.get(location)) && Files.isRegularFile(file)
                    && LinkCache.hashFile(file).hex().equals(row.blob())) {
                kept++;
            } else {
                bytes += writeImage(file, row, link);
                written++;
            }
            if (shape.needsSizes()) {
                sizes.put(row.path(), ImageSize.of(file));
            }
            progress.advance(1);
        }
        progress.finish();
        int deleted = 0;
        List<String> deletedFiles = new ArrayList<>();
        for (String location : before.keySet()) {
            if (!wanted.contains(location) && deleteExported(target, location) == 1) {
                deleted++;
                deletedFiles.add(location);
            }
        }
        for (String file : oldAnnotationFiles) {
            if (!newAnnotationFiles.contains(file) && deleteExported(target, file) == 1) {
                deletedFiles.add(file);
            }
        }
        for (Map.Entry<String, byte[]> f : shape.annotationFiles(selection.rows(), sizes,
                selection.commit().hex()).entrySet()) {
            Path file = ExportLayout.target(target, f.getKey());
            Files.createDirectories(file.getParent());
            AtomicFiles.write(file, f.getValue());
        }
        if (format != old.format()) {
            Files.deleteIfExists(target.resolve(old.format().fileName()));
        }
        String manifest = Manifest.render(format, selection.rows(), selection.commit().hex(), features,
                session::readVector);
        AtomicFiles.write(target.resolve(format.fileName()), manifest.getBytes(StandardCharsets.UTF_8));
        metadata.write("complete");
        return new Update(written, kept, deleted, bytes, deletedFiles);
    }

    /** Deletes one file an earlier export wrote and the folders it leaves empty; returns 1 if it existed. */
    private static int deleteExported(Path target, String relative) throws IOException {
        Path file = ExportLayout.target(target, relative);
        boolean existed = Files.deleteIfExists(file);
        removeEmptyParents(target, file.getParent());
        return existed ? 1 : 0;
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
        } catch (com.fasterxml.jackson.core.JsonProcessingException
                 | com.fasterxml.jackson.databind.RuntimeJsonMappingException e) {
            throw dev.dsv.ingest.CsvFailure.malformed(file, e);
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

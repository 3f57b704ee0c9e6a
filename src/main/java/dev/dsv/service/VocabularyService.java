package dev.dsv.service;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.error.Problem;
import dev.dsv.index.ImageRow;
import dev.dsv.ingest.SplitMapFile;
import dev.dsv.model.CanonicalJson;
import dev.dsv.model.DatasetPath;
import dev.dsv.model.Defect;
import dev.dsv.model.ImageEntry;
import dev.dsv.model.LabelRecord;
import dev.dsv.model.MetaRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.model.ObjectType;
import dev.dsv.model.Times;
import dev.dsv.repo.Repository;
import dev.dsv.repo.RepositoryConfig;
import dev.dsv.repo.RepositoryLock;
import dev.dsv.repo.Vocabulary;
import dev.dsv.store.ObjectStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * {@code dsv vocab rename|merge|split}: a change of defect types across the whole library at the
 * head of the current branch, as one commit. Each affected image gets a label record that
 * supersedes the one in force, keeps its labeler, time, confidence and guideline, and names the
 * {@code vocabulary-change} meta record in its {@code change} field. See docs/design.md,
 * "Vocabulary changes, guidelines and format version 2".
 */
public final class VocabularyService {
    /**
     * Paths rewritten per tree update, so memory stays bounded on any library size. Each batch is
     * flushed (one pack), because the next batch reads the tree nodes the previous one wrote.
     */
    static final int BATCH = 50_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The three operations, with the names the meta record uses. */
    public enum Operation {
        RENAME, MERGE, SPLIT;

        public String jsonName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * The outcome of a change: the change record, the commit (null when no image had an old type),
     * the images relabeled, regions dropped by a split into several types and the new defect types.
     */
    public record Result(Operation operation, ObjectId change, ObjectId commit, String branch, List<String> from,
                         List<String> to, long images, long regionsDropped, List<String> defectTypes) {
    }

    /**
     * The checked request: old and new types, the new targets of each affected image, the new
     * configured vocabulary and, for a split, the stored mapping.
     */
    private record Plan(Operation operation, List<String> from, List<String> to, Function<ImageRow, List<String>> targets,
                        long images, List<String> defectTypes, byte[] mapping, String defaultMessage) {
    }

    /** The state every change starts from: branch, head commit and tree, checked under the lock. */
    private record Start(String branch, ObjectId head, ObjectId headTree, Vocabulary defects) {
    }

    private final Session session;
    private final Progress progress;
    private final int batchSize;

    public VocabularyService(Session session, Progress progress) {
        this(session, progress, BATCH);
    }

    /** A service with another batch size, so tests can cover several batches on a small library. */
    VocabularyService(Session session, Progress progress, int batchSize) {
        this.session = session;
        this.progress = progress;
        this.batchSize = batchSize;
    }

    /** Renames OLD to NEW; NEW must not be a configured type (merge folds into one). */
    public Result rename(String oldName, String newName, String message) {
        return run("vocab rename", message, start -> {
            String old = existingType(oldName, start);
            String target = newTypeName(newName);
            // NEW may already be used at the head without being configured: a rename killed after
            // its commit but before the configuration was written is finished by running it again.
            String configured = start.defects().lookup(target);
            if (configured != null) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.vocab.renameExists", configured, old);
            }
            List<String> types = new ArrayList<>(start.defects().values());
            int at = types.indexOf(old);
            if (at >= 0) {
                types.set(at, target);
            } else {
                types.add(target);
            }
            List<String> to = List.of(target);
            return new Plan(Operation.RENAME, List.of(old), to, row -> to, usedAtHead(start, List.of(old)), types, null,
                    "vocab rename " + old + " -> " + target);
        });
    }

    /** Merges the {@code sources} types into {@code into}, which may be new or configured. */
    public Result merge(List<String> sources, String into, String message) {
        return run("vocab merge", message, start -> {
            String target = start.defects().lookup(into) != null ? start.defects().lookup(into) : newTypeName(into);
            LinkedHashSet<String> from = new LinkedHashSet<>();
            for (String s : sources) {
                String old = existingType(s, start);
                if (old.equalsIgnoreCase(target)) {
                    throw new DsvException(ExitCode.INVALID_INPUT, "error.vocab.mergeIntoItself", old);
                }
                from.add(old);
            }
            List<String> types = new ArrayList<>(start.defects().values());
            int at = -1;
            for (String old : from) {
                int i = types.indexOf(old);
                if (i >= 0 && at < 0) {
                    at = i;
                }
            }
            if (start.defects().lookup(target) == null) {
                types.add(at >= 0 ? at : types.size(), target);
            }
            types.removeAll(from);
            List<String> to = List.of(target);
            List<String> fromList = List.copyOf(from);
            return new Plan(Operation.MERGE, fromList, to, row -> to, usedAtHead(start, fromList), types, null,
                    "vocab merge " + String.join(", ", fromList) + " -> " + target);
        });
    }

    /**
     * Splits OLD by a mapping file of dataset path to new types. Every image with OLD at the head
     * must be mapped, and every row must name such an image.
     */
    public Result split(String oldName, Path mapFile, String message) {
        return run("vocab split", message, start -> planSplit(oldName, mapFile, start));
    }

    private Plan planSplit(String oldName, Path mapFile, Start start) {
        String old = existingType(oldName, start);
        List<Problem> problems = new ArrayList<>();
        List<SplitMapFile.Row> rows = SplitMapFile.read(mapFile, problems);
        Map<String, List<String>> byPath = new java.util.LinkedHashMap<>();
        Map<String, String> rowOf = new HashMap<>();
        Set<String> newTypes = new TreeSet<>(CanonicalJson.CODE_POINT_ORDER);
        for (SplitMapFile.Row row : rows) {
            String path;
            try {
                path = DatasetPath.normalize(row.datasetPath());
            } catch (DsvException e) {
                problems.add(new Problem("error.vocab.mapInvalidPath", row.where(), row.datasetPath(), e.arguments()[1]));
                continue;
            }
            List<String> types = mapTypes(row, start.defects(), newTypes, problems);
            if (types == null) {
                continue;
            }
            String earlier = rowOf.putIfAbsent(path, row.where());
            if (earlier != null) {
                problems.add(new Problem("error.vocab.mapDuplicate", row.where(), path, earlier));
                continue;
            }
            byPath.put(path, types);
        }
        throwIfAny(problems, "error.vocab.mapRejected", mapFile);

        // Every image with OLD must be mapped; an image blob at two paths must map alike, because
        // --vocabulary current maps older commits by blob.
        Set<String> seen = new HashSet<>();
        List<String> unmapped = new ArrayList<>();
        Map<String, List<String>> byBlob = new TreeMap<>();
        Map<String, String> pathOfBlob = new HashMap<>();
        session.index().listImagesWithAnyDefect(start.headTree(), List.of(old), row -> {
            List<String> types = byPath.get(row.path());
            if (types == null) {
                unmapped.add(row.path());
                return;
            }
            seen.add(row.path());
            List<String> earlier = byBlob.putIfAbsent(row.blob(), types);
            if (earlier != null && !earlier.equals(types)) {
                problems.add(new Problem("error.vocab.mapBlobConflict", rowOf.get(row.path()), row.path(),
                        pathOfBlob.get(row.blob())));
            }
            pathOfBlob.putIfAbsent(row.blob(), row.path());
        });
        if (!unmapped.isEmpty()) {
            List<Problem> listed = unmapped.stream().limit(AddService.MAX_PROBLEMS)
                    .map(p -> new Problem("error.vocab.unmappedPath", p)).toList();
            throw new DsvException(ExitCode.INVALID_INPUT, "error.vocab.unmapped", unmapped.size(), old, mapFile)
                    .withProblems(listed);
        }
        byPath.forEach((path, types) -> {
            if (!seen.contains(path)) {
                problems.add(new Problem("error.vocab.mapNotAffected", rowOf.get(path), path, old));
            }
        });
        throwIfAny(problems, "error.vocab.mapRejected", mapFile);

        StringBuilder mapping = new StringBuilder();
        byBlob.forEach((blob, types) -> mapping.append(blob).append('\t').append(String.join(";", types)).append('\n'));
        Set<String> to = new TreeSet<>(CanonicalJson.CODE_POINT_ORDER);
        byBlob.values().forEach(to::addAll);

        List<String> types = new ArrayList<>(start.defects().values());
        int at = types.indexOf(old);
        List<String> added = newTypes.stream().filter(t -> start.defects().lookup(t) == null).toList();
        types.addAll(at >= 0 ? at + 1 : types.size(), added);
        if (!to.contains(old)) {
            types.remove(old);
        }
        return new Plan(Operation.SPLIT, List.of(old), List.copyOf(to), row -> byPath.get(row.path()), seen.size(),
                types, mapping.toString().getBytes(StandardCharsets.UTF_8),
                "vocab split " + old + " -> " + String.join(", ", to));
    }

    /** Resolves a row's types: configured ones in their spelling, new ones checked as names. */
    private static List<String> mapTypes(SplitMapFile.Row row, Vocabulary configured, Set<String> newTypes,
                                         List<Problem> problems) {
        if (row.defects().isEmpty()) {
            problems.add(new Problem("error.vocab.mapNoDefects", row.where()));
            return null;
        }
        Set<String> types = new TreeSet<>(CanonicalJson.CODE_POINT_ORDER);
        for (String raw : row.defects()) {
            String known = configured.lookup(raw);
            if (known != null) {
                types.add(known);
                newTypes.add(known);
                continue;
            }
            String problem = nameProblem(raw);
            if (problem != null) {
                problems.add(new Problem("error.vocab.mapInvalidType", row.where(), raw, problem));
                return null;
            }
            types.add(raw);
            newTypes.add(raw);
        }
        return List.copyOf(types);
    }

    // ---- the shared steps ----

    private Result run(String command, String message, Function<Start, Plan> planner) {
        if (message != null && message.isBlank()) {
            throw new DsvException(ExitCode.USAGE, "error.commit.emptyMessage");
        }
        try (RepositoryLock lock = session.lock(command)) {
            Repository repo = session.repository();
            String branch = repo.currentBranch();
            if (repo.config().protectedBranches().contains(branch)) {
                throw new DsvException(ExitCode.PROTECTED, "error.vocab.protected", branch);
            }
            repo.requireLabelV2("label records made by a vocabulary change");
            ObjectId head = repo.headCommit();
            if (head == null) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.vocab.noCommit", branch);
            }
            ObjectId headTree = session.treeOf(head);
            if (!session.stage().tree().equals(headTree)) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.vocab.staged", branch);
            }
            session.indexHistory(head);
            Start start = new Start(branch, head, headTree, repo.config().defectTypes());
            progress.start("find", 0);
            Plan plan = planner.apply(start);
            progress.finish();
            return apply(start, plan, message == null ? plan.defaultMessage() : message.strip());
        }
    }

    private Result apply(Start start, Plan plan, String message) {
        Repository repo = session.repository();
        OffsetDateTime now = Times.now();
        String author = Identity.committer(session.repository().config());
        Map<String, Object> body = CanonicalJson.newObject();
        body.put("operation", plan.operation().jsonName());
        body.put("from", plan.from());
        body.put("to", plan.to());
        body.put("branch", start.branch());
        body.put("images", plan.images());
        ObjectId mappingBlob = plan.mapping() == null || plan.images() == 0 ? null
                : ObjectId.fromBytes(DigestUtils.sha256(plan.mapping()));
        if (mappingBlob != null) {
            body.put("mapping", mappingBlob.hex());
        }
        MetaRecord record = new MetaRecord(MetaKinds.VOCABULARY_CHANGE, start.head(), author, now, body);
        // The record's id is known before it is stored, so the new label records can name it
        // and nothing becomes visible until every record and tree node is written.
        ObjectId changeId = ObjectId.fromBytes(DigestUtils.sha256(record.encode()));

        ObjectId commit = null;
        long[] regionsDropped = {0};
        long[] relabeled = {0};
        ObjectId tree = start.headTree();
        if (plan.images() > 0) {
            progress.start("relabel", plan.images());
            try (ObjectStore.Inserter inserter = repo.store().newInserter()) {
                if (mappingBlob != null) {
                    inserter.insertBlob(new ByteArrayInputStream(plan.mapping()));
                }
                tree = rewrite(start, plan, changeId, inserter, regionsDropped, relabeled);
                inserter.flush();
            }
            progress.finish();
        }
        ObjectId stored = repo.metadataLog().append(record);
        session.index().indexMeta(stored, record.kind(), record.subject(), author, Times.format(now));
        if (!tree.equals(start.headTree())) {
            progress.start("commit", 0);
            commit = new CommitService(session).writeCommit(start.branch(), start.head(), tree, List.of(start.head()),
                    message, null, null).id();
            progress.finish();
        }
        RepositoryConfig.writeDefectTypes(repo.dsvDir().resolve("config.json"), plan.defectTypes());
        return new Result(plan.operation(), stored, commit, start.branch(), plan.from(), plan.to(), relabeled[0],
                regionsDropped[0], plan.defectTypes());
    }

    /** Streams the affected images in path order and applies their new entries batch by batch. */
    private ObjectId rewrite(Start start, Plan plan, ObjectId changeId, ObjectStore.Inserter inserter,
                             long[] regionsDropped, long[] relabeled) {
        ObjectId[] tree = {start.headTree()};
        SortedMap<String, ImageEntry> batch = new TreeMap<>(CanonicalJson.CODE_POINT_ORDER);
        session.index().listImagesWithAnyDefect(start.headTree(), plan.from(), row -> {
            ObjectId labelId = ObjectId.parse(row.label());
            LabelRecord old = session.readLabel(labelId);
            DefectMapping.Mapped mapped = DefectMapping.apply(old.defects(), plan.from(), plan.targets().apply(row));
            if (!mapped.changed()) {
                return;
            }
            LabelRecord next = old.withChange(mapped.defects(), labelId, changeId);
            ObjectId nextId = inserter.insert(ObjectType.LABEL, next.encode());
            batch.put(row.path(), entryOf(row).withLabel(nextId));
            regionsDropped[0] += mapped.regionsDropped();
            relabeled[0]++;
            progress.advance(1);
            if (batch.size() >= batchSize) {
                tree[0] = session.trees().apply(tree[0], batch, inserter);
                inserter.flush();
                batch.clear();
            }
        });
        if (!batch.isEmpty()) {
            tree[0] = session.trees().apply(tree[0], batch, inserter);
        }
        return tree[0];
    }

    /** Rebuilds an image entry from its index row. */
    static ImageEntry entryOf(ImageRow row) {
        SortedMap<String, String> attributes = CanonicalJson.newObject();
        if (row.attributesJson() != null) {
            try {
                attributes.putAll(JSON.readValue(row.attributesJson(), new TypeReference<Map<String, String>>() { }));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new ImageEntry(ObjectId.parse(row.blob()), ObjectId.parse(row.label()), row.cellType(), row.source(),
                row.generator(), row.split(), attributes, row.features());
    }

    // ---- names ----

    /**
     * Returns the configured spelling of an old type. A type that is no longer configured but is
     * still used at the head (a branch made before the change elsewhere) is accepted as written.
     */
    private String existingType(String name, Start start) {
        String known = start.defects().lookup(name);
        if (known != null) {
            return known;
        }
        String written = name == null ? "" : CanonicalJson.nfc(name.strip());
        if (!written.isEmpty() && usedAtHead(start, List.of(written)) > 0) {
            return written;
        }
        throw new DsvException(ExitCode.INVALID_INPUT, "error.vocab.unknownType", String.valueOf(name),
                String.join(", ", start.defects().values()));
    }

    private long usedAtHead(Start start, List<String> types) {
        return session.index().countImagesWithAnyDefect(start.headTree(), types);
    }

    /** Checks a new type name and returns it in NFC without surrounding blanks. */
    private static String newTypeName(String raw) {
        String problem = nameProblem(raw);
        if (problem != null) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.vocab.invalidName", String.valueOf(raw), problem);
        }
        return CanonicalJson.nfc(raw.strip());
    }

    /** Returns why a name cannot be a defect type, or null when it can. */
    private static String nameProblem(String raw) {
        String name = raw == null ? "" : raw.strip();
        if (name.isEmpty()) {
            return "empty";
        }
        if (name.equalsIgnoreCase(Defect.NONE)) {
            return "'none' means no defect";
        }
        if (name.chars().anyMatch(c -> c == ';' || c == ',' || c == '"' || Character.isISOControl(c))) {
            return "contains ';', ',', '\"' or a control character";
        }
        if (name.length() > 64) {
            return "longer than 64 characters";
        }
        return null;
    }

    private static void throwIfAny(List<Problem> problems, String key, Object file) {
        if (!problems.isEmpty()) {
            List<Problem> shown = problems.size() > AddService.MAX_PROBLEMS
                    ? problems.subList(0, AddService.MAX_PROBLEMS) : problems;
            throw new DsvException(ExitCode.INVALID_INPUT, key, file, problems.size()).withProblems(shown);
        }
    }
}

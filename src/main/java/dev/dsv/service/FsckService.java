package dev.dsv.service;

import dev.dsv.error.DsvException;
import dev.dsv.model.Commit;
import dev.dsv.model.ObjectId;
import dev.dsv.model.ObjectType;
import dev.dsv.repo.RepositoryLock;
import dev.dsv.repo.Stage;
import dev.dsv.store.ObjectState;
import dev.dsv.store.ObjectStore;
import dev.dsv.tree.TreeEntry;
import dev.dsv.tree.TreeNode;
import dev.dsv.tree.Trees;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * {@code dsv fsck}: re-hashes every object reachable from every branch, the stage and the
 * metadata log, and reports missing, corrupt and absent-by-design objects separately. Each
 * problem names the object and where it was referenced from.
 */
public final class FsckService {
    /** One object that is not as it should be, with the first place that referenced it. */
    public record Finding(ObjectId id, ObjectType type, String referencedFrom, dev.dsv.error.Problem detail) {
    }

    /** The outcome: objects checked per type and the three kinds of findings. */
    public record Report(Map<ObjectType, Integer> checked, long blobBytes, List<Finding> missing,
                         List<Finding> corrupt, List<Finding> absent, Map<Path, String> damagedPacks,
                         List<Path> damagedLinks, List<String> indexProblems) {
        public boolean clean() {
            return missing.isEmpty() && corrupt.isEmpty() && damagedPacks.isEmpty() && damagedLinks.isEmpty()
                    && indexProblems.isEmpty();
        }
    }

    private final Session session;
    private final Progress progress;
    private final ObjectStore store;
    private final Set<ObjectId> seen = new HashSet<>();
    private final Map<ObjectType, Integer> checked = new EnumMap<>(ObjectType.class);
    private final List<Finding> missing = new ArrayList<>();
    private final List<Finding> corrupt = new ArrayList<>();
    private final List<Finding> absent = new ArrayList<>();
    private long blobBytes;

    public FsckService(Session session, Progress progress) {
        this.session = session;
        this.progress = progress;
        this.store = session.repository().store();
    }

    /**
     * Checks the repository. The walk takes no lock and reads the refs and the stage once. A
     * writer that moves a ref or replaces the stage meanwhile lets a concurrent {@code gc} delete
     * objects that the old root named, and a running {@code reindex} or commit makes the index
     * differ from the copy built here. So when the first pass finds missing or corrupt objects
     * and the roots moved during it, or finds index differences, the check runs again under the
     * writer lock, where no writer, gc or reindex runs, and that pass is reported.
     */
    public Report check() {
        Map<String, ObjectId> rootsBefore = roots();
        Report report = checkOnce();
        boolean objectsClean = report.missing().isEmpty() && report.corrupt().isEmpty();
        boolean rootsMoved = !roots().equals(rootsBefore);
        if ((objectsClean || !rootsMoved) && report.indexProblems().isEmpty()) {
            return report;
        }
        RepositoryLock lock;
        try {
            lock = session.lock("fsck");
        } catch (DsvException e) {
            // A repository the user cannot write (a read-only mount) has no writer to wait for.
            if (e.exitCode() == dev.dsv.error.ExitCode.IO_ERROR) {
                return report;
            }
            throw e;
        }
        try (lock) {
            return checkOnce();
        }
    }

    /** Checks the repository in one pass; the caller holds the writer lock, so nothing moves meanwhile. */
    public Report checkLocked() {
        return checkOnce();
    }

    /** Returns the refs and the stage tree, the roots of the object walk. */
    private Map<String, ObjectId> roots() {
        Map<String, ObjectId> roots = new java.util.TreeMap<>(session.repository().refTargets());
        try {
            roots.put("STAGE", session.stage().tree());
        } catch (DsvException e) {
            // An unreadable stage is not a root; the walk skips it the same way.
        }
        return roots;
    }

    private Report checkOnce() {
        seen.clear();
        missing.clear();
        corrupt.clear();
        absent.clear();
        blobBytes = 0;
        for (ObjectType t : ObjectType.values()) {
            checked.put(t, 0);
        }
        progress.start("fsck", 0);
        var repo = session.repository();
        Deque<ObjectId> commits = new ArrayDeque<>();
        for (var ref : repo.refTargets().entrySet()) {
            commits.push(ref.getValue());
            checkCommits(commits, ref.getKey());
        }
        Stage stage;
        try {
            stage = session.stage();
        } catch (DsvException e) {
            stage = null;
        }
        if (stage != null && stage.tree() != null) {
            checkTree(stage.tree(), "STAGE", "");
        }
        for (ObjectId id : repo.metadataLog().ids()) {
            if (present(id, ObjectType.META, "meta/log")) {
                verifySmall(id, ObjectType.META, "meta/log");
            }
        }
        List<String> indexProblems = missing.isEmpty() && corrupt.isEmpty() ? checkIndex() : List.of();
        progress.finish();
        return new Report(new EnumMap<>(checked), blobBytes, List.copyOf(missing), List.copyOf(corrupt),
                List.copyOf(absent), repo.store().damagedPacks(), checkLinkCache(), indexProblems);
    }

    /**
     * Compares the SQLite index with one rebuilt from the objects in a temporary file. Skipped
     * when objects are missing or corrupt, because the rebuild would stop at them; fsck reports
     * them first. A repository without an index file has nothing to compare: the next command
     * builds it.
     */
    private List<String> checkIndex() {
        Path live = session.repository().indexFile();
        if (!java.nio.file.Files.exists(live)) {
            return List.of();
        }
        try {
            session.index();
        } catch (DsvException e) {
            if ("error.index.disk".equals(e.messageKey())) {
                throw e;
            }
            return List.of(e.getCause() != null ? String.valueOf(e.getCause().getMessage()) : e.messageKey());
        }
        Path dir = null;
        try {
            dir = java.nio.file.Files.createTempDirectory("dsv-fsck-index");
            try (dev.dsv.index.Index rebuilt = dev.dsv.index.Index.open(dir.resolve("index.sqlite"))) {
                session.indexInto(rebuilt);
            }
            // A commit made while the copy was built is in the copy. The live index gets it here,
            // as any command's first index use would add it, so it is not reported as missing.
            session.indexInto(session.index());
            return dev.dsv.index.Index.differences(live, dir.resolve("index.sqlite"));
        } catch (IOException e) {
            throw new DsvException(dev.dsv.error.ExitCode.IO_ERROR, e, "error.io", live, e.getMessage());
        } finally {
            deleteQuietly(dir);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (var walk = java.nio.file.Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // A leftover temporary index is a copy; nothing reads it.
        }
    }

    /**
     * Returns link cache files whose bytes no longer match their name: an exported hard link was
     * edited in place. The packed originals are unaffected; {@code dsv gc} drops the cache.
     */
    private List<Path> checkLinkCache() {
        Path dir = session.repository().dsvDir().resolve("objects").resolve("links");
        List<Path> damaged = new ArrayList<>();
        if (!java.nio.file.Files.isDirectory(dir)) {
            return damaged;
        }
        List<Path> files;
        try (var walk = java.nio.file.Files.walk(dir)) {
            files = walk.filter(java.nio.file.Files::isRegularFile).sorted().toList();
        } catch (java.io.UncheckedIOException e) {
            // gc deleted the cache, or part of it, while it was listed: nothing left to check there.
            if (e.getCause() instanceof java.nio.file.NoSuchFileException) {
                return damaged;
            }
            throw new DsvException(dev.dsv.error.ExitCode.IO_ERROR, e, "error.io", dir, e.getMessage());
        } catch (java.nio.file.NoSuchFileException e) {
            return damaged;
        } catch (IOException e) {
            throw new DsvException(dev.dsv.error.ExitCode.IO_ERROR, e, "error.io", dir, e.getMessage());
        }
        for (Path p : files) {
            String name = p.getFileName().toString();
            if (name.startsWith("tmp-")) {
                // An export is writing this cache file; it gets its hash name when complete.
                continue;
            }
            try (InputStream in = java.nio.file.Files.newInputStream(p)) {
                if (!DigestUtils.sha256Hex(in).equals(name)) {
                    damaged.add(p);
                }
            } catch (java.nio.file.NoSuchFileException e) {
                // gc removed the file after the listing; a removed cache file is not damage.
            } catch (IOException e) {
                throw new DsvException(dev.dsv.error.ExitCode.IO_ERROR, e, "error.io", p, e.getMessage());
            }
        }
        return damaged;
    }

    private void checkCommits(Deque<ObjectId> todo, String ref) {
        while (!todo.isEmpty()) {
            ObjectId id = todo.pop();
            if (!present(id, ObjectType.COMMIT, ref)) {
                continue;
            }
            Commit c;
            try {
                c = session.readCommit(id);
                count(ObjectType.COMMIT);
            } catch (DsvException e) {
                corrupt.add(new Finding(id, ObjectType.COMMIT, ref, problem(e)));
                continue;
            }
            checkTree(c.tree(), "commit " + id.abbreviate(12), "");
            for (ObjectId p : c.parents()) {
                todo.push(p);
            }
        }
    }

    private void checkTree(ObjectId id, String from, String folder) {
        if (id.equals(Trees.EMPTY_TREE) || !present(id, ObjectType.TREE, from)) {
            return;
        }
        TreeNode node;
        try {
            node = session.trees().readStrict(id);
            count(ObjectType.TREE);
        } catch (DsvException e) {
            corrupt.add(new Finding(id, ObjectType.TREE, from + (folder.isEmpty() ? "" : " at " + folder), problem(e)));
            return;
        }
        if (node instanceof TreeNode.Buckets b) {
            for (ObjectId child : b.children().values()) {
                checkTree(child, from, folder);
            }
            return;
        }
        for (TreeEntry e : ((TreeNode.Flat) node).entries()) {
            String path = folder + e.name();
            if (e.isFolder()) {
                checkTree(e.tree(), from, path + "/");
                continue;
            }
            String where = from + " at " + path;
            if (present(e.image().label(), ObjectType.LABEL, where)) {
                try {
                    session.readLabel(e.image().label());
                    count(ObjectType.LABEL);
                } catch (DsvException ex) {
                    corrupt.add(new Finding(e.image().label(), ObjectType.LABEL, where, problem(ex)));
                }
            }
            for (ObjectId vector : e.image().features().values()) {
                if (present(vector, ObjectType.VECTOR, where)) {
                    try {
                        session.readVector(vector);
                        count(ObjectType.VECTOR);
                    } catch (DsvException ex) {
                        corrupt.add(new Finding(vector, ObjectType.VECTOR, where, problem(ex)));
                    }
                }
            }
            if (present(e.image().blob(), ObjectType.BLOB, where)) {
                verifyBlob(e.image().blob(), where);
            }
        }
    }

    /** Returns true when the object is present and not yet checked; records missing and absent ones. */
    private boolean present(ObjectId id, ObjectType type, String from) {
        if (!seen.add(id)) {
            return false;
        }
        ObjectState state = store.state(id);
        if (state == ObjectState.MISSING) {
            missing.add(new Finding(id, type, from, null));
            return false;
        }
        if (state == ObjectState.ABSENT_BY_DESIGN) {
            absent.add(new Finding(id, type, from, new dev.dsv.error.Problem("fsck.absentReason", store.absentObjects().get(id))));
            return false;
        }
        return true;
    }

    private void verifySmall(ObjectId id, ObjectType type, String from) {
        try {
            store.read(id, type);
            count(type);
        } catch (DsvException e) {
            corrupt.add(new Finding(id, type, from, problem(e)));
        }
    }

    /**
     * Checks one present object of any store: a blob is streamed and hashed, any other object is
     * read, which checks its hash. Returns the problem, or null when the object is intact.
     */
    public static dev.dsv.error.Problem objectProblem(ObjectStore store, ObjectId id) {
        try {
            ObjectType type = store.type(id);
            if (type != ObjectType.BLOB) {
                store.read(id, type);
                return null;
            }
            MessageDigest md = DigestUtils.getSha256Digest();
            long length = 0;
            byte[] buf = new byte[1 << 16];
            try (InputStream in = store.openBlob(id)) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    md.update(buf, 0, n);
                    length += n;
                }
            }
            if (!ObjectId.fromBytes(md.digest()).equals(id) || length != store.size(id)) {
                return new dev.dsv.error.Problem("fsck.hashMismatch");
            }
            return null;
        } catch (DsvException e) {
            return problem(e);
        } catch (IOException e) {
            return new dev.dsv.error.Problem("error.io", id.hex(), e.getMessage());
        }
    }

    private void verifyBlob(ObjectId id, String from) {
        dev.dsv.error.Problem p = objectProblem(store, id);
        if (p != null) {
            corrupt.add(new Finding(id, ObjectType.BLOB, from, p));
            return;
        }
        blobBytes += store.size(id);
        count(ObjectType.BLOB);
    }

    private static dev.dsv.error.Problem problem(DsvException e) {
        return new dev.dsv.error.Problem(e.messageKey(), e.arguments());
    }

    private void count(ObjectType type) {
        checked.merge(type, 1, Integer::sum);
        progress.advance(1);
    }
}

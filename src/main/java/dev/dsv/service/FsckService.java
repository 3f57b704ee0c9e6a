package dev.dsv.service;

import dev.dsv.error.DsvException;
import dev.dsv.model.Commit;
import dev.dsv.model.ObjectId;
import dev.dsv.model.ObjectType;
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
                         List<Path> damagedLinks) {
        public boolean clean() {
            return missing.isEmpty() && corrupt.isEmpty() && damagedPacks.isEmpty() && damagedLinks.isEmpty();
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

    public Report check() {
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
        progress.finish();
        return new Report(checked, blobBytes, missing, corrupt, absent, repo.store().damagedPacks(), checkLinkCache());
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
        try (var walk = java.nio.file.Files.walk(dir)) {
            for (Path p : walk.filter(java.nio.file.Files::isRegularFile).sorted().toList()) {
                String name = p.getFileName().toString();
                try (InputStream in = java.nio.file.Files.newInputStream(p)) {
                    if (!DigestUtils.sha256Hex(in).equals(name)) {
                        damaged.add(p);
                    }
                }
            }
        } catch (IOException e) {
            throw new DsvException(dev.dsv.error.ExitCode.IO_ERROR, e, "error.io", dir, e.getMessage());
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

    private void verifyBlob(ObjectId id, String from) {
        MessageDigest md = DigestUtils.getSha256Digest();
        long length = 0;
        byte[] buf = new byte[1 << 16];
        try (InputStream in = store.openBlob(id)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
                length += n;
            }
        } catch (DsvException e) {
            corrupt.add(new Finding(id, ObjectType.BLOB, from, problem(e)));
            return;
        } catch (IOException e) {
            corrupt.add(new Finding(id, ObjectType.BLOB, from, new dev.dsv.error.Problem("error.io", id.hex(), e.getMessage())));
            return;
        }
        if (!ObjectId.fromBytes(md.digest()).equals(id) || length != store.size(id)) {
            corrupt.add(new Finding(id, ObjectType.BLOB, from, new dev.dsv.error.Problem("fsck.hashMismatch")));
            return;
        }
        blobBytes += length;
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

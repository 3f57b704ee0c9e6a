package dev.dsv.service;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.index.Index;
import dev.dsv.model.CanonicalJson;
import dev.dsv.model.Commit;
import dev.dsv.model.LabelRecord;
import dev.dsv.model.MetaRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.model.ObjectType;
import dev.dsv.repo.Repository;
import dev.dsv.repo.RepositoryLock;
import dev.dsv.repo.Stage;
import dev.dsv.tree.Trees;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * One command's view of an open repository: the repository, its tree reader and its index, with
 * the object decoding and revision parsing that every service needs.
 */
public final class Session implements AutoCloseable {
    private final Repository repository;
    private final Trees trees;
    private static final int LABEL_CACHE_SIZE = 100_000;

    private Index index;
    private Duration lockTimeout;
    /** Decoded label records, because a commit reads each changed label twice (summary, index). */
    private final java.util.Map<ObjectId, LabelRecord> labels = new java.util.LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<ObjectId, LabelRecord> eldest) {
            return size() > LABEL_CACHE_SIZE;
        }
    };

    private Session(Repository repository) {
        this.repository = repository;
        this.trees = new Trees(repository.store());
        this.lockTimeout = repository.configuredLockTimeout();
    }

    /** Opens the repository containing {@code dir}. */
    public static Session open(Path dir) {
        return new Session(Repository.open(dir));
    }

    /** Creates a repository in {@code dir} and opens it. */
    public static Session init(Path dir) {
        return init(dir, java.time.ZoneId.systemDefault());
    }

    /** Creates a repository whose labeling days are counted in the given time zone. */
    public static Session init(Path dir, java.time.ZoneId timeZone) {
        Session s = new Session(Repository.init(dir, timeZone));
        s.index().close();
        s.index = null;
        return s;
    }

    public Repository repository() {
        return repository;
    }

    public Trees trees() {
        return trees;
    }

    /** Overrides the configured writer-lock timeout for this command. */
    public void setLockTimeout(Duration timeout) {
        this.lockTimeout = timeout;
    }

    /** Takes the writer lock for a command. */
    public RepositoryLock lock(String command) {
        return repository.lockForWrite(command, lockTimeout);
    }

    /** Closes the index so that the next {@link #index()} opens it again and catches up. */
    void reopenIndex() {
        if (index != null) {
            index.close();
            index = null;
        }
    }

    /** Returns the index, opening it and indexing any ref whose commits are not indexed yet. */
    public Index index() {
        if (index == null) {
            index = Index.open(repository.indexFile());
            catchUp();
        }
        return index;
    }

    /**
     * Indexes the commits reachable from the branches that the index lacks. A command killed after
     * moving a ref but before indexing leaves such commits; the next command finishes the work.
     */
    private void catchUp() {
        indexInto(index);
    }

    /** Indexes {@code head} and its ancestors that are not indexed, oldest first. */
    public void indexHistory(ObjectId head) {
        indexHistory(index == null ? index() : index, head);
    }

    /**
     * Fills another index (a fresh one, for fsck to compare with) with every commit the refs reach
     * and every metadata record, as the repository's own index would hold them.
     */
    public void indexInto(Index target) {
        for (ObjectId head : repository.refTargets().values()) {
            indexHistory(target, head);
        }
        // Only records the target lacks are read: every command catches up, and the log grows
        // with every review, promotion and export.
        java.util.Set<ObjectId> indexed = target.metaIdSet();
        for (ObjectId id : repository.metadataLog().ids()) {
            if (indexed.contains(id)) {
                continue;
            }
            MetaRecord r = repository.metadataLog().read(id);
            target.indexMeta(id, r.kind(), r.subject(), r.author(), dev.dsv.model.Times.format(r.time()));
        }
    }

    private void indexHistory(Index idx, ObjectId head) {
        Deque<ObjectId> pending = new ArrayDeque<>();
        Deque<ObjectId> todo = new ArrayDeque<>(List.of(head));
        java.util.Set<ObjectId> seen = new java.util.HashSet<>();
        while (!todo.isEmpty()) {
            ObjectId id = todo.pop();
            if (!seen.add(id) || idx.hasCommit(id)) {
                continue;
            }
            pending.push(id);
            todo.addAll(readCommit(id).parents());
        }
        while (!pending.isEmpty()) {
            ObjectId id = pending.pop();
            idx.indexCommit(id, readCommit(id), trees, this::readLabel);
        }
    }

    /** Reads and checks a commit object. */
    public Commit readCommit(ObjectId id) {
        byte[] bytes = repository.store().read(id, ObjectType.COMMIT);
        try {
            Commit c = Commit.fromJson(CanonicalJson.parse(bytes));
            checkCanonical(id, c.encode(), bytes);
            return c;
        } catch (IOException | RuntimeException e) {
            throw undecodable(id, e);
        }
    }

    /** Reads and checks a label record. */
    public LabelRecord readLabel(ObjectId id) {
        LabelRecord cached = labels.get(id);
        if (cached != null) {
            return cached;
        }
        byte[] bytes = repository.store().read(id, ObjectType.LABEL);
        try {
            var json = CanonicalJson.parse(bytes);
            int version = json.path("v").asInt(0);
            if (version > LabelRecord.MAX_VERSION) {
                throw new DsvException(ExitCode.NEWER_FORMAT, "error.object.newerVersion", id.hex(), "label", version,
                        LabelRecord.MAX_VERSION);
            }
            LabelRecord r = LabelRecord.fromJson(json);
            checkCanonical(id, r.encode(), bytes);
            labels.put(id, r);
            return r;
        } catch (IOException | RuntimeException e) {
            throw undecodable(id, e);
        }
    }

    /** Reads and checks a feature vector: decodes it and compares its re-encoding with the stored bytes. */
    public dev.dsv.model.FeatureVector readVector(ObjectId id) {
        byte[] bytes = repository.store().read(id, ObjectType.VECTOR);
        try {
            var json = CanonicalJson.parse(bytes);
            int version = json.path("v").asInt(0);
            if (version > dev.dsv.model.FeatureVector.VERSION) {
                throw new DsvException(ExitCode.NEWER_FORMAT, "error.object.newerVersion", id.hex(), "vector", version,
                        dev.dsv.model.FeatureVector.VERSION);
            }
            dev.dsv.model.FeatureVector v = dev.dsv.model.FeatureVector.fromJson(json);
            checkCanonical(id, v.encode(), bytes);
            return v;
        } catch (IOException | RuntimeException e) {
            throw undecodable(id, e);
        }
    }

    private static void checkCanonical(ObjectId id, byte[] reencoded, byte[] stored) {
        if (!Arrays.equals(reencoded, stored)) {
            throw new DsvException(ExitCode.INTEGRITY, "error.object.notCanonical", id.hex());
        }
    }

    private static DsvException undecodable(ObjectId id, Exception e) {
        if (e instanceof DsvException d) {
            return d;
        }
        return new DsvException(ExitCode.INTEGRITY, e, "error.object.undecodable", id.hex(), String.valueOf(e.getMessage()));
    }

    /** Returns the tree of a commit, or {@link Trees#EMPTY_TREE} for null (no commit yet). */
    public ObjectId treeOf(ObjectId commit) {
        return commit == null ? Trees.EMPTY_TREE : readCommit(commit).tree();
    }

    /** Returns the stage, with an empty tree when the repository has no commit and nothing staged. */
    public Stage stage() {
        Stage s = repository.readStage(this::treeOf);
        return s.tree() == null ? new Stage(s.base(), Trees.EMPTY_TREE) : s;
    }

    /**
     * Resolves a revision: {@code HEAD}, a branch, a full id or a unique prefix of at least 4 hex
     * digits, each optionally followed by any number of {@code ~N} and {@code ^}.
     */
    public ObjectId resolve(String revision) {
        return new RevisionParser(this).resolve(revision);
    }

    /** Returns first-parent-first history from {@code head}, newest first, at most {@code limit}. */
    public List<ObjectId> history(ObjectId head, int limit) {
        List<ObjectId> out = new ArrayList<>();
        java.util.Set<ObjectId> seen = new java.util.HashSet<>();
        java.util.PriorityQueue<Object[]> queue = new java.util.PriorityQueue<>(
                (a, b) -> ((Commit) b[1]).time().toInstant().compareTo(((Commit) a[1]).time().toInstant()));
        queue.add(new Object[] {head, readCommit(head)});
        seen.add(head);
        while (!queue.isEmpty() && out.size() < limit) {
            Object[] next = queue.poll();
            out.add((ObjectId) next[0]);
            for (ObjectId p : ((Commit) next[1]).parents()) {
                if (seen.add(p)) {
                    queue.add(new Object[] {p, readCommit(p)});
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        if (index != null) {
            index.close();
        }
        repository.close();
    }
}

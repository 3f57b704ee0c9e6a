package dev.dsv.service;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.model.CellDefect;
import dev.dsv.model.Commit;
import dev.dsv.model.Defect;
import dev.dsv.model.ImageEntry;
import dev.dsv.model.LabelRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.model.ObjectType;
import dev.dsv.model.Times;
import dev.dsv.repo.RepositoryLock;
import dev.dsv.repo.Stage;
import dev.dsv.store.ObjectStore;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code dsv commit}: records the stage as a commit on the current branch. The order of the steps
 * keeps a killed commit safe: objects are flushed before the branch moves, and the stage is
 * cleared only after, so at worst the next command finds a stage equal to HEAD (nothing staged).
 */
public final class CommitService {
    /** The new commit and what it changed. */
    public record Result(ObjectId id, Commit commit, String branch, Map<Change.Kind, Integer> counts) {
    }

    private final Session session;

    public CommitService(Session session) {
        this.session = session;
    }

    /**
     * Commits the stage. {@code committer} and {@code time} may be null for the defaults (the
     * configured identity and now).
     */
    public Result commit(String message, String committer, OffsetDateTime time) {
        if (message == null || message.isBlank()) {
            throw new DsvException(ExitCode.USAGE, "error.commit.emptyMessage");
        }
        if (committer != null && (committer.isBlank() || committer.chars().anyMatch(Character::isISOControl))) {
            throw new DsvException(ExitCode.USAGE, "error.commit.committer", committer);
        }
        try (RepositoryLock lock = session.lock("commit")) {
            var repo = session.repository();
            String branch = repo.currentBranch();
            if (repo.config().protectedBranches().contains(branch)) {
                throw new DsvException(ExitCode.PROTECTED, "error.protected.commit", branch);
            }
            ObjectId head = repo.headCommit();
            ObjectId headTree = session.treeOf(head);
            Stage stage = session.stage();
            if (stage.tree().equals(headTree)) {
                throw new DsvException(ExitCode.NOTHING_TO_COMMIT, "error.commit.nothing", branch);
            }
            Result r = writeCommit(branch, head, stage.tree(), head == null ? List.of() : List.of(head), message,
                    committer, time);
            repo.clearStage();
            return r;
        }
    }

    /**
     * Writes a commit of {@code tree} with the given parents, computing its summaries against the
     * first parent, and moves {@code branch} from {@code head} to it. The caller holds the lock.
     */
    Result writeCommit(String branch, ObjectId head, ObjectId tree, List<ObjectId> parents, String message,
                       String committer, OffsetDateTime time) {
        var repo = session.repository();
        Map<Change.Kind, Integer> counts = new EnumMap<>(Change.Kind.class);
        Commit commit = buildCommit(head, tree, parents, message, committer, time, counts);
        ObjectId id;
        try (ObjectStore.Inserter inserter = repo.store().newInserter()) {
            id = inserter.insert(ObjectType.COMMIT, commit.encode());
            inserter.flush();
        }
        repo.updateBranch(branch, head, id);
        // NOTE: the branch has moved here. If indexing fails (a busy timeout behind another
        // process's long index write), the command exits 10 although the commit was made; the
        // next command indexes it.
        session.indexHistory(id);
        return new Result(id, commit, branch, counts);
    }

    /**
     * Writes a commit of {@code tree} whose summaries compare it with {@code head}, without moving
     * any branch, and returns its id. The caller holds the lock and moves the branch later.
     */
    public ObjectId writeDetached(ObjectId head, ObjectId tree, List<ObjectId> parents, String message,
                                  String committer, OffsetDateTime time) {
        Commit commit = buildCommit(head, tree, parents, message, committer, time, new EnumMap<>(Change.Kind.class));
        try (ObjectStore.Inserter inserter = session.repository().store().newInserter()) {
            ObjectId id = inserter.insert(ObjectType.COMMIT, commit.encode());
            inserter.flush();
            return id;
        }
    }

    /** Builds (without writing) a commit of {@code tree} whose summaries compare it with {@code head}. */
    Commit buildCommit(ObjectId head, ObjectId tree, List<ObjectId> parents, String message) {
        return buildCommit(head, tree, parents, message, null, null, new EnumMap<>(Change.Kind.class));
    }

    private Commit buildCommit(ObjectId head, ObjectId tree, List<ObjectId> parents, String message, String committer,
                               OffsetDateTime time, Map<Change.Kind, Integer> counts) {
        ObjectId headTree = session.treeOf(head);
        Set<CellDefect> touches = new TreeSet<>();
        Set<String> sources = new TreeSet<>();
        session.trees().diff(headTree, tree, (path, before, after) -> {
            counts.merge(new Change(path, before, after).kind(), 1, Integer::sum);
            addPairs(before, touches);
            addPairs(after, touches);
            if (after != null) {
                sources.add(after.source());
            }
        });

        return new Commit(tree, parents,
                committer == null ? Identity.committer(session.repository().config()) : committer,
                time == null ? Times.now() : time, message.strip(),
                new ArrayList<>(touches), new ArrayList<>(sources));
    }

    private void addPairs(ImageEntry entry, Set<CellDefect> out) {
        if (entry == null) {
            return;
        }
        LabelRecord label = session.readLabel(entry.label());
        if (label.defects().isEmpty()) {
            out.add(new CellDefect(entry.cellType(), Defect.NONE));
        }
        for (Defect d : label.defects()) {
            out.add(new CellDefect(entry.cellType(), d.type()));
        }
    }
}

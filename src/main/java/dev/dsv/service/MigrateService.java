package dev.dsv.service;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.model.Commit;
import dev.dsv.model.ObjectId;
import dev.dsv.repo.Repository;
import dev.dsv.repo.RepositoryLock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * {@code dsv migrate}: upgrades a repository to the current format. Formats 1 and 2 differ from
 * format 3 only in the kinds of objects they may hold, so the upgrade changes no object, only the
 * format file, and every commit and label id stays valid. The refs, the commits
 * they reach, the stage and the metadata log are checked first, so a damaged repository is not
 * upgraded.
 */
public final class MigrateService {
    /** The format before and after; {@code from == to} when the repository was already current. */
    public record Result(int from, int to, int commitsChecked, int metaRecordsChecked) {
    }

    private final Session session;

    public MigrateService(Session session) {
        this.session = session;
    }

    public Result migrate() {
        try (RepositoryLock lock = session.lock("migrate")) {
            Repository repo = session.repository();
            int from = repo.formatVersion();
            int[] checked = check(repo);
            if (from < Repository.FORMAT_VERSION) {
                repo.writeFormatVersion(Repository.FORMAT_VERSION);
            }
            return new Result(from, Repository.FORMAT_VERSION, checked[0], checked[1]);
        }
    }

    /**
     * Reads HEAD, every commit reachable from a branch or tag with the root node of its tree, the
     * stage and every metadata record. A broken commit is an integrity error naming it and its ref.
     */
    private int[] check(Repository repo) {
        repo.currentBranch();
        Set<ObjectId> seen = new HashSet<>();
        for (Map.Entry<String, ObjectId> ref : repo.refTargets().entrySet()) {
            Deque<ObjectId> todo = new ArrayDeque<>();
            todo.push(ref.getValue());
            while (!todo.isEmpty()) {
                ObjectId id = todo.pop();
                if (!seen.add(id)) {
                    continue;
                }
                try {
                    Commit c = session.readCommit(id);
                    session.trees().read(c.tree());
                    todo.addAll(c.parents());
                } catch (DsvException e) {
                    throw new DsvException(ExitCode.INTEGRITY, e, "error.migrate.broken", ref.getKey(), id.hex())
                            .withProblems(java.util.List.of(new dev.dsv.error.Problem(e.messageKey(), e.arguments())));
                }
            }
        }
        var stage = session.stage();
        session.trees().read(stage.tree());
        int meta = 0;
        for (ObjectId id : repo.metadataLog().ids()) {
            repo.metadataLog().read(id);
            meta++;
        }
        return new int[] {seen.size(), meta};
    }
}

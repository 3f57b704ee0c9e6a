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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Branches and tags: list, create, delete (with a guard for unmerged work), switch. */
public final class BranchService {
    private final Session session;

    public BranchService(Session session) {
        this.session = session;
    }

    /** Returns every branch with the commit it points at (null for a branch without commits). */
    public Map<String, ObjectId> branches() {
        Map<String, ObjectId> out = new LinkedHashMap<>();
        Repository repo = session.repository();
        for (String b : repo.branches()) {
            out.put(b, repo.readBranch(b));
        }
        String current = repo.currentBranch();
        if (!out.containsKey(current)) {
            out.put(current, null);
        }
        return out;
    }

    /** Returns every tag with its commit. */
    public Map<String, ObjectId> tags() {
        Map<String, ObjectId> out = new LinkedHashMap<>();
        Repository repo = session.repository();
        for (String t : repo.tags()) {
            out.put(t, repo.readRef(Repository.RefKind.TAG, t));
        }
        return out;
    }

    /** Creates a branch at a revision; returns its commit. */
    public ObjectId create(String name, String revision) {
        try (RepositoryLock lock = session.lock("branch")) {
            checkFree(name);
            ObjectId at = session.resolve(revision);
            session.repository().updateBranch(name, null, at);
            return at;
        }
    }

    /** Creates an immutable tag at a revision; returns its commit. */
    public ObjectId tag(String name, String revision) {
        try (RepositoryLock lock = session.lock("tag")) {
            if (session.repository().branches().contains(name)) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.ref.nameTaken", name, "branch");
            }
            ObjectId at = session.resolve(revision);
            session.repository().createTag(name, at);
            return at;
        }
    }

    private void checkFree(String name) {
        Repository repo = session.repository();
        if (repo.branches().contains(name)) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.branch.exists", name);
        }
        if (repo.tags().contains(name)) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.ref.nameTaken", name, "tag");
        }
    }

    /**
     * Deletes a branch. The current branch is never deleted; a branch whose commits no other
     * branch or tag reaches needs {@code force}, so that no work is dropped by accident.
     */
    public ObjectId delete(String name, boolean force) {
        try (RepositoryLock lock = session.lock("branch -d")) {
            Repository repo = session.repository();
            if (!repo.branches().contains(name)) {
                throw new DsvException(ExitCode.UNKNOWN_REVISION, "error.branch.notFound", name);
            }
            if (repo.currentBranch().equals(name)) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.branch.deleteCurrent", name);
            }
            ObjectId head = repo.readBranch(name);
            if (!force && !reachableFromOthers(name, head)) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.branch.unmerged", name, head.abbreviate(12));
            }
            repo.deleteBranch(name);
            return head;
        }
    }

    private boolean reachableFromOthers(String name, ObjectId head) {
        Set<ObjectId> seen = new HashSet<>();
        Deque<ObjectId> todo = new ArrayDeque<>();
        session.repository().refTargets().forEach((ref, id) -> {
            if (!ref.equals("refs/heads/" + name)) {
                todo.push(id);
            }
        });
        while (!todo.isEmpty()) {
            ObjectId id = todo.pop();
            if (id.equals(head)) {
                return true;
            }
            if (seen.add(id)) {
                Commit c = session.readCommit(id);
                todo.addAll(c.parents());
            }
        }
        return false;
    }

    /**
     * Returns the commit a new branch starts at, or null for a start without commits: HEAD or a
     * protected branch (such as main) before their first commit.
     */
    private ObjectId startOf(String revision) {
        Repository repo = session.repository();
        if (revision.equals("HEAD")) {
            return repo.headCommit();
        }
        if (repo.config().protectedBranches().contains(revision) && repo.readBranch(revision) == null) {
            return null;
        }
        return session.resolve(revision);
    }

    /**
     * Makes another branch current, creating it at {@code createAt} when that is not null.
     * Staged changes move along to a branch created at the current commit (the usual way to
     * commit work started on a protected branch); any other switch with a non-empty stage needs
     * {@code discardStaged}.
     */
    public void switchTo(String name, String createAt, boolean discardStaged) {
        try (RepositoryLock lock = session.lock("switch")) {
            Repository repo = session.repository();
            ObjectId head = repo.headCommit();
            boolean staged = !session.stage().tree().equals(session.treeOf(head));
            ObjectId start = createAt == null ? null : startOf(createAt);
            boolean sameCommit = createAt != null && java.util.Objects.equals(start, head);
            if (staged && sameCommit && !discardStaged) {
                checkFree(name);
                if (head != null) {
                    repo.updateBranch(name, null, head);
                }
                repo.setHead(name);
                return;
            }
            if (staged && !discardStaged) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.switch.staged", repo.currentBranch(), name);
            }
            if (createAt != null) {
                checkFree(name);
                if (start != null) {
                    repo.updateBranch(name, null, start);
                }
            } else if (!repo.branches().contains(name) && !repo.config().protectedBranches().contains(name)) {
                // A protected branch such as main exists from init on, even before its first promotion.
                throw new DsvException(ExitCode.UNKNOWN_REVISION, "error.branch.notFound", name);
            }
            repo.clearStage();
            repo.setHead(name);
        }
    }
}

package dev.dsv.remote;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.model.ObjectId;
import dev.dsv.repo.Repository;
import dev.dsv.repo.RepositoryLock;
import dev.dsv.service.MergeService;
import dev.dsv.service.Session;
import java.util.Map;

/**
 * {@code dsv pull [REMOTE] [BRANCH]}: fetch, then bring the remote's BRANCH (default: the current
 * branch's name) into the current branch: a fast-forward when possible, otherwise a merge with
 * the rules of {@code dsv merge}. A protected branch only fast-forwards.
 */
public final class PullService {
    /** {@code result} is {@code fast-forward}, {@code up-to-date} or {@code merge}. */
    public record Result(FetchService.Result fetch, String branch, String from, String result, ObjectId commit) {
    }

    private final Session session;

    public PullService(Session session) {
        this.session = session;
    }

    public Result pull(String remoteName, String branchName) {
        FetchService.Result fetched = new FetchService(session).fetch(remoteName);
        Repository repo = session.repository();
        String current = repo.currentBranch();
        String branch = branchName == null ? current : branchName;
        String from = fetched.remote() + "/" + branch;
        ObjectId theirs = repo.readRemoteRef(fetched.remote(), branch);
        if (theirs == null) {
            throw new DsvException(ExitCode.UNKNOWN_REVISION, "error.pull.noRemoteBranch", fetched.remote(), branch);
        }
        MergeService merge = new MergeService(session);
        try (RepositoryLock lock = session.lock("pull")) {
            ObjectId ours = repo.readBranch(current);
            if (ours != null && merge.isAncestor(theirs, ours)) {
                return new Result(fetched, current, from, "up-to-date", ours);
            }
            if (ours == null || merge.isAncestor(ours, theirs)) {
                if (!session.stage().tree().equals(session.treeOf(ours))) {
                    throw new DsvException(ExitCode.INVALID_INPUT, "error.merge.staged", current);
                }
                repo.updateBranch(current, ours, theirs);
                repo.clearStage();
                session.indexHistory(theirs);
                return new Result(fetched, current, from, "fast-forward", theirs);
            }
            if (repo.config().protectedBranches().contains(current)) {
                throw new DsvException(ExitCode.PROTECTED, "error.pull.protectedDiverged", current, from);
            }
        }
        MergeService.Result r = merge.merge(from, null, Map.of(), null);
        return new Result(fetched, current, from, r.kind(), r.commit());
    }
}

package dev.dsv.service;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.model.CanonicalJson;
import dev.dsv.model.Commit;
import dev.dsv.model.ImageEntry;
import dev.dsv.model.MetaRecord;
import dev.dsv.trust.RecordSignatures;
import dev.dsv.model.ObjectId;
import dev.dsv.model.Times;
import dev.dsv.repo.Repository;
import dev.dsv.repo.RepositoryLock;
import dev.dsv.store.ObjectStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * {@code dsv rollback COMMIT}: undoes one commit on a branch, also when later commits followed
 * it, by committing the inverse change: images it added are removed, images it removed or
 * changed go back to their entries before it. Where a later commit changed an image again, the
 * image is a conflict: OURS keeps the later state, THEIRS undoes anyway. The rollback is
 * recorded in the metadata log with who and why, and the models trained on data that contains
 * the commit are returned for retraining.
 */
public final class RollbackService {
    /** The rollback commit, how many images it changed, and the models that need retraining. */
    public record Result(ObjectId commit, ObjectId rolledBack, String branch, int changed,
                         List<ModelService.Model> affectedModels) {
    }

    private final Session session;

    public RollbackService(Session session) {
        this.session = session;
    }

    public Result rollback(String revision, String branchName, String reason, MergeService.Side all,
                           Map<String, MergeService.Side> choices) {
        if (reason == null || reason.isBlank()) {
            throw new DsvException(ExitCode.USAGE, "error.rollback.reason");
        }
        try (RepositoryLock lock = session.lock("rollback")) {
            Repository repo = session.repository();
            String branch = branchName != null ? branchName : repo.currentBranch();
            ObjectId head = repo.readBranch(branch);
            if (head == null) {
                throw new DsvException(ExitCode.UNKNOWN_REVISION, "error.branch.notFound", branch);
            }
            if (branch.equals(repo.currentBranch()) && !session.stage().tree().equals(session.treeOf(head))) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.merge.staged", branch);
            }
            ObjectId bad = session.resolve(revision);
            MergeService ancestry = new MergeService(session);
            if (!ancestry.isAncestor(bad, head)) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.rollback.notOnBranch", bad.abbreviate(12), branch);
            }
            Commit badCommit = session.readCommit(bad);
            if (badCommit.parents().size() > 1) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.rollback.merge", bad.abbreviate(12));
            }
            ObjectId parentTree = badCommit.parents().isEmpty() ? null : session.treeOf(badCommit.parents().get(0));
            ObjectId headTree = session.treeOf(head);

            Map<String, ImageEntry> changes = new TreeMap<>(CanonicalJson.CODE_POINT_ORDER);
            List<MergeService.Conflict> conflicts = new ArrayList<>();
            session.trees().diff(parentTree, badCommit.tree(), (path, before, after) -> {
                ImageEntry now = session.trees().lookup(headTree, path);
                if (Objects.equals(now, after)) {
                    changes.put(path, before);
                    return;
                }
                if (Objects.equals(now, before)) {
                    return;
                }
                MergeService.Side side = choices.getOrDefault(path, all);
                if (side == null) {
                    conflicts.add(new MergeService.Conflict(path, after, now, before));
                } else if (side == MergeService.Side.THEIRS) {
                    changes.put(path, before);
                }
            });
            if (!conflicts.isEmpty()) {
                throw new MergeConflictException(conflicts, session::readLabel);
            }
            if (changes.isEmpty()) {
                throw new DsvException(ExitCode.NOTHING_TO_COMMIT, "error.rollback.nothing", bad.abbreviate(12), branch);
            }
            // The commit is written before its record, so a required signature is tried first on a
            // record of the same author and kind: a missing or unlisted key then moves nothing.
            RecordSignatures signatures = new RecordSignatures(session);
            dev.dsv.policy.Policy policy = repo.config().protectedBranches().contains(branch)
                    ? new PolicyService(session).inForce(branch) : null;
            String author = Identity.committer(session.repository().config());
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("rolled_back", bad.hex());
            body.put("branch", branch);
            body.put("reason", reason.strip());
            if (policy != null) {
                MetaRecord trial = signatures.signIfConfigured(new MetaRecord(MetaKinds.ROLLBACK, head, author,
                        Times.now(), body));
                signatures.requireIfPolicy(policy, trial, branch);
            }
            ObjectId tree;
            try (ObjectStore.Inserter inserter = repo.store().newInserter()) {
                tree = session.trees().apply(headTree, changes, inserter);
                inserter.flush();
            }
            String message = "Roll back " + bad.abbreviate(12) + ": " + reason.strip();
            CommitService.Result r = new CommitService(session).writeCommit(branch, head, tree, List.of(head), message,
                    null, null);
            MetaRecord record = signatures.signIfConfigured(new MetaRecord(MetaKinds.ROLLBACK, r.id(), author,
                    Times.now(), body));
            repo.metadataLog().append(record);
            if (branch.equals(repo.currentBranch())) {
                repo.clearStage();
            }
            List<ModelService.Model> affected = new ModelService(session).list(bad.hex());
            return new Result(r.id(), bad, branch, changes.size(), affected);
        }
    }
}

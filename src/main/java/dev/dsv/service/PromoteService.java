package dev.dsv.service;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.model.CanonicalJson;
import dev.dsv.model.Commit;
import dev.dsv.model.MetaRecord;
import dev.dsv.trust.RecordSignatures;
import dev.dsv.model.ObjectId;
import dev.dsv.model.ObjectType;
import dev.dsv.model.Times;
import dev.dsv.policy.GateResult;
import dev.dsv.policy.Gates;
import dev.dsv.policy.Policy;
import dev.dsv.policy.PromotionCandidate;
import dev.dsv.quality.ReviewLog;
import dev.dsv.quality.ReviewStatus;
import dev.dsv.repo.Repository;
import dev.dsv.repo.RepositoryLock;
import dev.dsv.store.ObjectStore;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * {@code dsv promote BRANCH --into main}: the only way into a protected branch. It computes what
 * the target would become (after conflict detection), runs every gate of the policy in force on
 * the target (never the candidate's own) on that snapshot, and moves the target only when every
 * gate passes. The promotion is recorded in the metadata log before the ref moves, with the
 * policy version and the hash of the gate report.
 */
public final class PromoteService {
    /** The gate report and, unless it failed or was a dry run, the new head of the target. */
    public record Result(String branch, String target, ObjectId candidateHead, ObjectId newHead, boolean promoted,
                         boolean dryRun, List<GateResult> gates, String policyVersion, String reportHash,
                         int images, boolean policyChangeAccepted) {
        public boolean passed() {
            return gates.stream().allMatch(GateResult::passed);
        }
    }

    private final Session session;

    public PromoteService(Session session) {
        this.session = session;
    }

    public Result promote(String branch, String target, boolean dryRun) {
        return promote(branch, target, dryRun, false);
    }

    /**
     * Promotes; {@code acceptPolicyChange} lets a candidate policy that removes a gate or changes a
     * setting of the target's pass the policy-change gate, and is recorded with the promotion.
     */
    public Result promote(String branch, String target, boolean dryRun, boolean acceptPolicyChange) {
        try (RepositoryLock lock = session.lock("promote")) {
            Repository repo = session.repository();
            if (!repo.branches().contains(branch)) {
                throw new DsvException(ExitCode.UNKNOWN_REVISION, "error.branch.notFound", branch);
            }
            if (!repo.branches().contains(target) && !repo.config().protectedBranches().contains(target)) {
                throw new DsvException(ExitCode.UNKNOWN_REVISION, "error.branch.notFound", target);
            }
            if (branch.equals(target)) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.promote.self", branch);
            }
            ObjectId candidate = repo.readBranch(branch);
            ObjectId targetHead = repo.readBranch(target);
            if (target.equals(repo.currentBranch()) && !session.stage().tree().equals(session.treeOf(targetHead))) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.merge.staged", target);
            }
            MergeService merge = new MergeService(session);
            MergeService.Plan plan = merge.plan(targetHead, candidate, null, Map.of());
            if (plan.kind().equals("up-to-date")) {
                throw new DsvException(ExitCode.NOTHING_TO_COMMIT, "error.promote.nothing", branch, target);
            }

            PolicyService policies = new PolicyService(session);
            Policy targetPolicy = policies.inForce(target);
            // A branch without a policy of its own carries the target's: promoting it changes no policy.
            Policy candidatePolicy = policies.own(branch).orElse(targetPolicy);
            List<ObjectId> promoted = newCommits(candidate, targetHead);
            Map<ObjectId, String> reviewStatus = new LinkedHashMap<>();
            Set<ObjectId> verified = new HashSet<>();
            ReviewStatus review = new ReviewStatus(session, ReviewLog.read(session, targetPolicy),
                    targetPolicy.decimal("review.max_reject_rate"));
            for (ObjectId id : promoted) {
                ReviewStatus.CommitStatus s = review.of(id);
                reviewStatus.put(id, describe(s));
                if (s.state() == ReviewStatus.State.VERIFIED) {
                    verified.add(id);
                }
            }
            PromotionCandidate c = new PromotionCandidate(branch, target, promoted,
                    plan.changes(), verified, repo.config(), session::readLabel,
                    targetPolicy, candidatePolicy, snapshot(plan.tree()), kind -> MetaQuery.records(session, kind),
                    Times.now(), reviewStatus, repo);
            List<GateResult> results = new ArrayList<>();
            for (String name : targetPolicy.gates()) {
                results.add(Gates.named(name).check(c));
            }
            GateResult change = Gates.policyChange(c, acceptPolicyChange);
            results.add(change);
            boolean accepted = acceptPolicyChange && change.offending() > 0;
            Map<String, Object> report = CanonicalJson.newObject();
            report.put("branch", branch);
            report.put("candidate", candidate.hex());
            report.put("into", target);
            report.put("gates", reportCanonical(results));
            String reportHash = DigestUtils.sha256Hex(CanonicalJson.encode(report));
            int images = plan.changes().size();
            boolean passed = results.stream().allMatch(GateResult::passed);
            if (dryRun || !passed) {
                return new Result(branch, target, candidate, targetHead, false, dryRun, results,
                        targetPolicy.version().hex(), reportHash, images, accepted);
            }

            ObjectId newHead;
            if (plan.kind().equals("fast-forward")) {
                newHead = candidate;
                recordPromotion(branch, target, candidate, targetHead, newHead, targetPolicy, reportHash, accepted);
                repo.updateBranch(target, targetHead, newHead);
            } else {
                Commit commit = new CommitService(session).buildCommit(targetHead, plan.tree(),
                        List.of(targetHead, candidate), "Promote " + branch + " into " + target);
                try (ObjectStore.Inserter inserter = repo.store().newInserter()) {
                    newHead = inserter.insert(ObjectType.COMMIT, commit.encode());
                    inserter.flush();
                }
                recordPromotion(branch, target, candidate, targetHead, newHead, targetPolicy, reportHash, accepted);
                repo.updateBranch(target, targetHead, newHead);
            }
            if (!candidatePolicy.equals(targetPolicy)) {
                policies.record(target, candidatePolicy, newHead.hex());
            }
            session.indexHistory(newHead);
            if (target.equals(repo.currentBranch())) {
                repo.clearStage();
            }
            return new Result(branch, target, candidate, newHead, true, false, results, targetPolicy.version().hex(),
                    reportHash, images, accepted);
        }
    }

    /** Returns a commit's review status with its reason, for the gate report. */
    private static String describe(ReviewStatus.CommitStatus s) {
        String text = s.state().id();
        if (s.reason() == ReviewStatus.Reason.NOT_SAMPLED) {
            return text + " (not sampled: " + s.unsampled() + " new label records; dsv review sample)";
        }
        if (s.reason() == ReviewStatus.Reason.REVIEWED && s.state() != ReviewStatus.State.VERIFIED) {
            List<String> groups = new ArrayList<>();
            for (ReviewStatus.GroupStatus g : s.groups()) {
                if (g.state() != ReviewStatus.State.VERIFIED) {
                    groups.add(g.key() + " " + g.state().id() + " " + g.decided() + "/" + g.sampled() + " decided, "
                            + (g.rejected() + g.relabeled()) + " rejected or relabeled");
                }
            }
            return text + " (" + String.join("; ", groups) + ")";
        }
        return text;
    }

    private PromotionCandidate.Snapshot snapshot(ObjectId tree) {
        return new PromotionCandidate.Snapshot() {
            @Override
            public ObjectId tree() {
                return tree;
            }

            @Override
            public void forEachImage(java.util.function.BiConsumer<String, dev.dsv.model.ImageEntry> action) {
                session.trees().walk(tree, action::accept);
            }
        };
    }

    /** Written before the ref moves: a killed promote leaves at most a record for a commit not on the target. */
    private void recordPromotion(String branch, String target, ObjectId candidate, ObjectId previous, ObjectId newHead,
                                 Policy policy, String reportHash, boolean policyChangeAccepted) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("branch", branch);
        body.put("into", target);
        body.put("candidate", candidate.hex());
        if (previous != null) {
            body.put("previous", previous.hex());
        }
        body.put("policy", policy.version().hex());
        body.put("report", reportHash);
        if (policyChangeAccepted) {
            body.put("policy_change_accepted", true);
        }
        RecordSignatures signatures = new RecordSignatures(session);
        MetaRecord record = signatures.signIfConfigured(
                new MetaRecord(MetaKinds.PROMOTION, newHead, Identity.committer(session.repository().config()), Times.now(), body));
        signatures.requireIfPolicy(policy, record, target);
        session.repository().metadataLog().append(record);
    }

    static List<Object> reportCanonical(List<GateResult> results) {
        List<Object> out = new ArrayList<>();
        for (GateResult r : results) {
            Map<String, Object> m = CanonicalJson.newObject();
            m.put("gate", r.gate());
            m.put("passed", r.passed());
            m.put("rule", r.rule());
            m.put("checked", (long) r.checked());
            m.put("offending", (long) r.offending());
            m.put("examples", r.examples());
            out.add(m);
        }
        return out;
    }

    /** Returns the commits reachable from {@code head} but not from {@code base}, newest first. */
    private List<ObjectId> newCommits(ObjectId head, ObjectId base) {
        Set<ObjectId> known = new HashSet<>();
        if (base != null) {
            Deque<ObjectId> todo = new ArrayDeque<>(List.of(base));
            while (!todo.isEmpty()) {
                ObjectId id = todo.pop();
                if (known.add(id)) {
                    todo.addAll(session.readCommit(id).parents());
                }
            }
        }
        List<ObjectId> out = new ArrayList<>();
        Deque<ObjectId> todo = new ArrayDeque<>(List.of(head));
        Set<ObjectId> seen = new HashSet<>();
        while (!todo.isEmpty()) {
            ObjectId id = todo.pop();
            if (!known.contains(id) && seen.add(id)) {
                out.add(id);
                todo.addAll(session.readCommit(id).parents());
            }
        }
        return out;
    }
}

package dev.dsv.quality;

import dev.dsv.model.ObjectId;
import dev.dsv.policy.Policy;
import dev.dsv.service.PolicyService;
import dev.dsv.service.Session;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code dsv review status}: the derived status of every commit reachable from a revision, and of
 * every sample group (day or commit) that covers one of them. The reject threshold is that of
 * the policy in force on the target branch (see {@link ReviewSampler#reviewBranch}), so the
 * status shown is the one a promotion into it would see.
 */
public record ReviewStatusReport(ObjectId head, String policyBranch, BigDecimal maxRejectRate, List<CommitLine> commits,
                                 List<ReviewStatus.GroupStatus> days) {
    /** One commit with its status and first message line. */
    public record CommitLine(ObjectId commit, ReviewStatus.CommitStatus status, String message) {
    }

    /** Builds the report for the history of {@code revision}, newest commit first. */
    public static ReviewStatusReport build(Session session, String revision, String into) {
        ObjectId head = session.resolve(revision);
        String branch = ReviewSampler.reviewBranch(session, into);
        Policy policy = new PolicyService(session).inForce(branch);
        BigDecimal max = policy.decimal("review.max_reject_rate");
        ReviewLog log = ReviewLog.read(session, policy);
        ReviewStatus status = new ReviewStatus(session, log, max);
        List<CommitLine> commits = new ArrayList<>();
        Map<String, ReviewStatus.GroupStatus> groups = new LinkedHashMap<>();
        for (ObjectId id : session.history(head, Integer.MAX_VALUE)) {
            ReviewStatus.CommitStatus s = status.of(id);
            String message = session.readCommit(id).message().lines().findFirst().orElse("");
            commits.add(new CommitLine(id, s, message));
            for (ReviewStatus.GroupStatus g : s.groups()) {
                groups.putIfAbsent(g.sample().id().hex() + " " + g.key(), g);
            }
        }
        List<ReviewStatus.GroupStatus> days = new ArrayList<>(groups.values());
        days.sort(Comparator.comparing((ReviewStatus.GroupStatus g) -> g.key().key())
                .thenComparing(g -> g.key().stratum() == null ? "" : g.key().stratum()));
        return new ReviewStatusReport(head, branch, max, commits, days);
    }
}

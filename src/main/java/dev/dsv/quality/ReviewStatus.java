package dev.dsv.quality;

import dev.dsv.model.ObjectId;
import dev.dsv.service.Session;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Derives the verification status of commits from the review records: {@code verified},
 * {@code pending} or {@code failed}, as docs/design.md "Sampled review" defines them. Nothing is
 * stored; every call reads the current decisions.
 */
public final class ReviewStatus {
    /** The status of a commit or a sample group. */
    public enum State {
        PENDING, VERIFIED, FAILED;

        /** Returns the lower-case name used in output and JSON. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Why a commit has its status, for reports. */
    public enum Reason { NO_NEW_LABELS, REVIEW_RELABEL, ROLLBACK, NOT_SAMPLED, REVIEWED }

    /** The decisions on one group of a sample. */
    public record GroupStatus(ReviewLog.Sample sample, ReviewLog.GroupKey key, long population, int sampled,
                              int decided, int passed, int rejected, int relabeled, List<ObjectId> commits,
                              State state) {
        /** Returns (rejected + relabeled) / decided, or zero when nothing is decided. */
        public BigDecimal rejectRate() {
            return decided == 0 ? BigDecimal.ZERO
                    : BigDecimal.valueOf(rejected + relabeled).divide(BigDecimal.valueOf(decided), 4, RoundingMode.HALF_EVEN);
        }
    }

    /** The status of one commit; {@code unsampled} counts new records no sample covers yet. */
    public record CommitStatus(ObjectId commit, State state, Reason reason, List<GroupStatus> groups, long unsampled) {
    }

    private final Session session;
    private final ReviewLog log;
    private final BigDecimal maxRejectRate;
    private final Map<ObjectId, Map<ReviewLog.GroupKey, GroupStatus>> groupsBySample = new HashMap<>();

    public ReviewStatus(Session session, ReviewLog log, BigDecimal maxRejectRate) {
        this.session = session;
        this.log = log;
        this.maxRejectRate = maxRejectRate;
    }

    /** Returns the status of one commit. */
    public CommitStatus of(ObjectId commit) {
        if (log.isReviewCommit(commit)) {
            return new CommitStatus(commit, State.VERIFIED, Reason.REVIEW_RELABEL, List.of(), 0);
        }
        if (log.exemptCommits().contains(commit)) {
            return new CommitStatus(commit, State.VERIFIED, Reason.ROLLBACK, List.of(), 0);
        }
        ReviewLog.Sample sample = log.sampleCovering(commit);
        if (sample == null) {
            long[] count = new long[1];
            new NewLabels(session, log.exemptCommits()).forEach(commit, found -> {
                if (log.item(found.label()) == null) {
                    count[0]++;
                }
            });
            return count[0] == 0 ? new CommitStatus(commit, State.VERIFIED, Reason.NO_NEW_LABELS, List.of(), 0)
                    : new CommitStatus(commit, State.PENDING, Reason.NOT_SAMPLED, List.of(), count[0]);
        }
        List<GroupStatus> groups = new ArrayList<>();
        for (GroupStatus g : groups(sample).values()) {
            if (g.commits().contains(commit)) {
                groups.add(g);
            }
        }
        if (groups.isEmpty()) {
            return new CommitStatus(commit, State.VERIFIED, Reason.NO_NEW_LABELS, List.of(), 0);
        }
        State state = State.VERIFIED;
        for (GroupStatus g : groups) {
            if (g.state() == State.FAILED) {
                state = State.FAILED;
            } else if (g.state() == State.PENDING && state == State.VERIFIED) {
                state = State.PENDING;
            }
        }
        return new CommitStatus(commit, state, Reason.REVIEWED, groups, 0);
    }

    /** Returns the status of every group of a sample, in the sample's group order. */
    public Map<ReviewLog.GroupKey, GroupStatus> groups(ReviewLog.Sample sample) {
        return groupsBySample.computeIfAbsent(sample.id(), id -> computeGroups(sample));
    }

    private Map<ReviewLog.GroupKey, GroupStatus> computeGroups(ReviewLog.Sample sample) {
        Map<ReviewLog.GroupKey, int[]> counts = new LinkedHashMap<>();
        for (ReviewLog.Group g : sample.groups()) {
            counts.put(g.key(), new int[5]);
        }
        for (ReviewLog.Item item : sample.items()) {
            int[] c = counts.computeIfAbsent(item.group(sample.by()), k -> new int[5]);
            c[0]++;
            ReviewLog.Decision d = log.decision(item.label());
            if (d == null) {
                continue;
            }
            c[1]++;
            switch (d.decision()) {
                case ReviewRecorder.PASS -> c[2]++;
                case ReviewRecorder.REJECT -> c[3]++;
                default -> c[4]++;
            }
        }
        Map<ReviewLog.GroupKey, GroupStatus> out = new LinkedHashMap<>();
        for (ReviewLog.Group g : sample.groups()) {
            int[] c = counts.get(g.key());
            State state;
            if (c[1] < c[0]) {
                state = State.PENDING;
            } else {
                BigDecimal failedShare = c[1] == 0 ? BigDecimal.ZERO
                        : BigDecimal.valueOf(c[3] + c[4]).divide(BigDecimal.valueOf(c[1]), 12, RoundingMode.HALF_EVEN);
                state = failedShare.compareTo(maxRejectRate) <= 0 ? State.VERIFIED : State.FAILED;
            }
            out.put(g.key(), new GroupStatus(sample, g.key(), g.population(), c[0], c[1], c[2], c[3], c[4], g.commits(),
                    state));
        }
        return out;
    }

    /** Returns the maximum reject rate this derivation applies. */
    public BigDecimal maxRejectRate() {
        return maxRejectRate;
    }
}

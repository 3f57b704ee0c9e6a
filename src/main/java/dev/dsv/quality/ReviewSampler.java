package dev.dsv.quality;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.model.Defect;
import dev.dsv.model.ImageEntry;
import dev.dsv.model.LabelRecord;
import dev.dsv.model.MetaRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.model.Times;
import dev.dsv.policy.Policy;
import dev.dsv.repo.RepositoryLock;
import dev.dsv.service.Identity;
import dev.dsv.service.MetaKinds;
import dev.dsv.service.PolicyService;
import dev.dsv.service.Progress;
import dev.dsv.service.Session;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code dsv review sample}: draws a reproducible share of the new label records of a revision's
 * history, per labeling day or per commit (and per stratum), and records the draw as a
 * {@code review-sample} record. See docs/design.md, "Sampled review".
 */
public final class ReviewSampler {
    public static final String BY_DAY = "day";
    public static final String BY_COMMIT = "commit";
    public static final String STRATUM_CELL_TYPE = "cell-type";
    public static final String STRATUM_DEFECT = "defect";

    /** A sample request; null rate and seed take the policy rate and the revision's commit id. */
    public record Request(String revision, BigDecimal rate, String by, List<String> stratify, String seed) {
    }

    /** The sample and whether it was recorded earlier (a repeated request) or just now. */
    public record Result(ReviewLog.Sample sample, boolean reused, int population) {
    }

    private final Session session;
    private final Progress progress;

    public ReviewSampler(Session session, Progress progress) {
        this.session = session;
        this.progress = progress;
    }

    public Result sample(Request request) {
        String by = request.by() == null ? BY_DAY : request.by();
        if (!by.equals(BY_DAY) && !by.equals(BY_COMMIT)) {
            throw new DsvException(ExitCode.USAGE, "error.review.by", by);
        }
        List<String> stratify = normalizeStrata(request.stratify());
        try (RepositoryLock lock = session.lock("review sample")) {
            ObjectId head = session.resolve(request.revision());
            BigDecimal rate = request.rate() != null ? request.rate() : policy().decimal("review.rate");
            if (rate.signum() <= 0 || rate.compareTo(BigDecimal.ONE) > 0) {
                throw new DsvException(ExitCode.USAGE, "error.review.rate", rate.toPlainString());
            }
            rate = rate.stripTrailingZeros();
            String seed = request.seed() != null ? request.seed() : head.hex();
            ReviewLog log = ReviewLog.read(session);
            for (ReviewLog.Sample s : log.samples()) {
                if (s.subject().equals(head) && s.rate().compareTo(rate) == 0 && s.by().equals(by)
                        && s.stratify().equals(stratify) && s.seed().equals(seed)) {
                    long population = s.groups().stream().mapToLong(ReviewLog.Group::population).sum();
                    return new Result(s, true, (int) population);
                }
            }
            List<ObjectId> commits = uncoveredCommits(head, log);
            Draw draw = new Draw(rate, by, stratify, seed, session.repository().config().timeZone(), log);
            NewLabels newLabels = new NewLabels(session, log.exemptCommits());
            // The before sides are kept for the second pass: they are as large as the removed and
            // changed paths of the uncovered commits, and each saves a diff.
            Map<ObjectId, Set<ObjectId>> beforeSides = new HashMap<>();
            progress.start("review sample: count", commits.size());
            for (ObjectId c : commits) {
                Set<ObjectId> beforeSide = newLabels.beforeSide(c);
                if (!beforeSide.isEmpty()) {
                    beforeSides.put(c, beforeSide);
                }
                newLabels.forEach(c, beforeSide, found -> draw.count(c, found));
                progress.advance(1);
            }
            progress.finish();
            draw.thresholds();
            progress.start("review sample: draw", commits.size());
            for (ObjectId c : commits) {
                newLabels.forEach(c, beforeSides.getOrDefault(c, Set.of()), found -> draw.keep(c, found));
                progress.advance(1);
            }
            progress.finish();
            List<ReviewLog.Item> items = draw.items();
            if (items.isEmpty()) {
                ReviewLog.Sample empty = new ReviewLog.Sample(null, head, null, null, rate, by, stratify, seed,
                        List.of(), commits, List.of());
                return new Result(empty, false, 0);
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("rate", rate);
            body.put("by", by);
            body.put("stratify", stratify);
            body.put("seed", seed);
            body.put("items", items.stream().map(ReviewLog.Item::toBody).toList());
            body.put("commits", commits.stream().map(ObjectId::hex).toList());
            body.put("groups", draw.groupBodies());
            MetaRecord record = new MetaRecord(MetaKinds.REVIEW_SAMPLE, head, Identity.committer(session.repository().config()), Times.now(), body);
            ObjectId id = session.repository().metadataLog().append(record);
            ReviewLog.Sample recorded = ReviewLog.read(session).samples().stream()
                    .filter(s -> s.id().equals(id)).findFirst().orElseThrow();
            return new Result(recorded, false, (int) draw.population());
        }
    }

    private Policy policy() {
        return new PolicyService(session).inForce(reviewBranch(session, null));
    }

    /**
     * Returns the branch whose policy sets the review rate and reject threshold: {@code into} when
     * given, else the first protected branch (main), whose verified gate judges promotions, else
     * the current branch.
     */
    public static String reviewBranch(Session session, String into) {
        if (into != null) {
            new PolicyService(session).requireBranch(into);
            return into;
        }
        List<String> protectedBranches = session.repository().config().protectedBranches();
        return protectedBranches.isEmpty() ? session.repository().currentBranch() : protectedBranches.get(0);
    }

    static List<String> normalizeStrata(List<String> raw) {
        Set<String> out = new LinkedHashSet<>();
        for (String s : raw == null ? List.<String>of() : raw) {
            String name = s.strip().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
            if (!name.equals(STRATUM_CELL_TYPE) && !name.equals(STRATUM_DEFECT)) {
                throw new DsvException(ExitCode.USAGE, "error.review.stratify", s);
            }
            out.add(name);
        }
        List<String> ordered = new ArrayList<>();
        // A fixed order, so that "defect,cell-type" is the same request as "cell-type,defect".
        for (String name : List.of(STRATUM_CELL_TYPE, STRATUM_DEFECT)) {
            if (out.contains(name)) {
                ordered.add(name);
            }
        }
        return ordered;
    }

    /**
     * Returns the commits reachable from {@code head} that no recorded sample covers. A covered
     * commit's ancestors were all in that sample's history, so the walk stops there.
     */
    private List<ObjectId> uncoveredCommits(ObjectId head, ReviewLog log) {
        List<ObjectId> out = new ArrayList<>();
        Set<ObjectId> seen = new HashSet<>();
        Deque<ObjectId> todo = new ArrayDeque<>(List.of(head));
        while (!todo.isEmpty()) {
            ObjectId id = todo.pop();
            if (!seen.add(id) || log.sampleCovering(id) != null) {
                continue;
            }
            out.add(id);
            todo.addAll(session.readCommit(id).parents());
        }
        return out;
    }

    /** Returns the labeling day of a record: the date of its labeled-at time in the library's zone. */
    static String day(LabelRecord label, ZoneId zone) {
        if (label.labeledAt() == null) {
            return "unknown";
        }
        return label.labeledAt().atZoneSameInstant(zone).toLocalDate().toString();
    }

    /** Returns the stratum of a record, or null when the request has none. */
    static String stratum(List<String> stratify, ImageEntry entry, LabelRecord label) {
        if (stratify.isEmpty()) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        if (stratify.contains(STRATUM_CELL_TYPE)) {
            parts.add(entry.cellType());
        }
        if (stratify.contains(STRATUM_DEFECT)) {
            parts.add(label.defects().isEmpty() ? Defect.NONE : String.join("+", label.defectTypes()));
        }
        return String.join("/", parts);
    }

    /** Returns the number drawn from a group of n records: max(1, ceil(rate x n)). */
    static long drawSize(BigDecimal rate, long n) {
        long k = rate.multiply(BigDecimal.valueOf(n)).setScale(0, RoundingMode.CEILING).longValueExact();
        return Math.max(1, Math.min(n, k));
    }

    /**
     * Returns the draw order of a record: the first 8 bytes of SHA-256(seed, 0, label id in hex),
     * with the sign bit flipped so that signed order of the longs is unsigned order of the bytes.
     */
    static long drawKey(MessageDigest sha, byte[] seed, ObjectId label) {
        sha.reset();
        sha.update(seed);
        sha.update((byte) 0);
        sha.update(label.hex().getBytes(StandardCharsets.US_ASCII));
        byte[] d = sha.digest();
        long key = 0;
        for (int i = 0; i < 8; i++) {
            key = (key << 8) | (d[i] & 0xff);
        }
        return key ^ Long.MIN_VALUE;
    }

    /** The state of one draw across its two passes. */
    private final class Draw {
        private final BigDecimal rate;
        private final String by;
        private final List<String> stratify;
        private final byte[] seed;
        private final ZoneId zone;
        private final ReviewLog log;
        private final MessageDigest sha;
        private final Map<ReviewLog.GroupKey, GroupState> groups = new TreeMap<>(
                Comparator.comparing(ReviewLog.GroupKey::key).thenComparing(g -> g.stratum() == null ? "" : g.stratum()));

        Draw(BigDecimal rate, String by, List<String> stratify, String seed, ZoneId zone, ReviewLog log) {
            this.rate = rate;
            this.by = by;
            this.stratify = stratify;
            this.seed = seed.getBytes(StandardCharsets.UTF_8);
            this.zone = zone;
            this.log = log;
            try {
                this.sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        private ReviewLog.Item item(ObjectId commit, NewLabels.Found found) {
            LabelRecord label = session.readLabel(found.label());
            return new ReviewLog.Item(found.label(), found.path(), commit, day(label, zone),
                    stratum(stratify, found.entry(), label));
        }

        void count(ObjectId commit, NewLabels.Found found) {
            if (log.item(found.label()) != null) {
                return;
            }
            ReviewLog.Item item = item(commit, found);
            GroupState g = groups.computeIfAbsent(item.group(by), k -> new GroupState());
            g.commits.add(commit);
            g.population++;
            if (log.needsFullReview(found.label())) {
                g.forced.putIfAbsent(found.label(), item);
            } else {
                g.add(drawKey(sha, seed, found.label()));
            }
        }

        /** The largest threshold of any group: a record whose key is above it is drawn in no group. */
        private long maxThreshold = Long.MIN_VALUE;

        void thresholds() {
            for (GroupState g : groups.values()) {
                g.threshold();
                maxThreshold = Math.max(maxThreshold, g.threshold);
            }
        }

        void keep(ObjectId commit, NewLabels.Found found) {
            if (log.item(found.label()) != null || log.needsFullReview(found.label())) {
                return;
            }
            long key = drawKey(sha, seed, found.label());
            if (key > maxThreshold) {
                // Drawn in no group, so its label record need not be read to find its group.
                return;
            }
            ReviewLog.Item item = item(commit, found);
            GroupState g = groups.get(item.group(by));
            if (key <= g.threshold) {
                g.candidates.putIfAbsent(found.label(), new Candidate(key, item));
            }
        }

        long population() {
            return groups.values().stream().mapToLong(g -> g.population).sum();
        }

        List<ReviewLog.Item> items() {
            List<ReviewLog.Item> out = new ArrayList<>();
            groups.forEach((key, g) -> {
                List<Candidate> candidates = new ArrayList<>(g.candidates.values());
                candidates.sort(Comparator.comparingLong(Candidate::key).thenComparing(k -> k.item.label()));
                List<ReviewLog.Item> drawn = new ArrayList<>();
                for (Candidate k : candidates.subList(0, (int) Math.min(g.k, candidates.size()))) {
                    drawn.add(k.item);
                }
                drawn.addAll(g.forced.values());
                drawn.sort(Comparator.comparing(ReviewLog.Item::path).thenComparing(ReviewLog.Item::label));
                g.drawn = drawn.size();
                out.addAll(drawn);
            });
            return out;
        }

        List<Object> groupBodies() {
            List<Object> out = new ArrayList<>();
            groups.forEach((key, g) -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("key", key.key());
                m.put("stratum", key.stratum());
                m.put("population", g.population);
                m.put("drawn", g.drawn);
                m.put("commits", g.commits.stream().map(ObjectId::hex).toList());
                out.add(m);
            });
            return out;
        }

        private record Candidate(long key, ReviewLog.Item item) {
        }

        /**
         * One group: the draw keys of its records (pass 1), the records at or below the threshold
         * (pass 2), and the records marked for full review, which are drawn outside the count.
         */
        private final class GroupState {
            long[] keys = new long[16];
            int size;
            long population;
            final Map<ObjectId, ReviewLog.Item> forced = new LinkedHashMap<>();
            long k;
            long threshold;
            long drawn;
            final Set<ObjectId> commits = new LinkedHashSet<>();
            final Map<ObjectId, Candidate> candidates = new HashMap<>();

            void add(long key) {
                if (size == keys.length) {
                    keys = Arrays.copyOf(keys, size * 2);
                }
                keys[size++] = key;
            }

            void threshold() {
                if (size == 0) {
                    k = 0;
                    threshold = Long.MIN_VALUE;
                    keys = null;
                    return;
                }
                k = drawSize(rate, size);
                long[] sorted = Arrays.copyOf(keys, size);
                Arrays.sort(sorted);
                threshold = sorted[(int) k - 1];
                keys = null;
            }
        }
    }
}

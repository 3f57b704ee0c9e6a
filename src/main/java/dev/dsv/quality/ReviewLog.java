package dev.dsv.quality;

import dev.dsv.model.MetaRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.policy.Policy;
import dev.dsv.repo.MetadataLog;
import dev.dsv.service.MetaKinds;
import dev.dsv.service.Session;
import dev.dsv.trust.RecordSignatures;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The review facts of the metadata log, read in one pass: recorded samples, the decision in force
 * per label record, rollback commits and relabel commits made by review. Body keys are those of
 * docs/design.md, "Annotation quality records".
 */
public final class ReviewLog {
    /** One sampled label record. {@code stratum} is null when the sample was not stratified. */
    public record Item(ObjectId label, String path, ObjectId commit, String day, String stratum) {
        /** Returns the key of the group this item was drawn from in a sample grouped {@code by}. */
        public GroupKey group(String by) {
            return new GroupKey(by.equals(ReviewSampler.BY_COMMIT) ? commit.hex() : day, stratum);
        }

        Map<String, Object> toBody() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("label", label.hex());
            m.put("path", path);
            m.put("commit", commit.hex());
            m.put("day", day);
            m.put("stratum", stratum);
            return m;
        }
    }

    /** A group of a sample: a day or a commit, and the stratum when stratified. */
    public record GroupKey(String key, String stratum) {
        @Override
        public String toString() {
            return stratum == null ? key : key + " " + stratum;
        }
    }

    /** A group with its size and the commits whose new records it contains. */
    public record Group(GroupKey key, long population, long drawn, List<ObjectId> commits) {
    }

    /** A recorded draw. */
    public record Sample(ObjectId id, ObjectId subject, String author, OffsetDateTime time, BigDecimal rate,
                         String by, List<String> stratify, String seed, List<Item> items, List<ObjectId> commits,
                         List<Group> groups) {
    }

    /** A verifier's decision on one sampled label record. */
    public record Decision(ObjectId id, ObjectId label, String verifier, OffsetDateTime time, String decision,
                           ObjectId sample, String path, ObjectId newLabel, ObjectId relabelCommit, String note) {
    }

    private final List<Sample> samples = new ArrayList<>();
    private final Map<ObjectId, Sample> sampleOfCommit = new HashMap<>();
    private final Map<ObjectId, Item> itemOfLabel = new HashMap<>();
    private final Map<ObjectId, Sample> sampleOfLabel = new HashMap<>();
    private final Map<ObjectId, Decision> decisionOfLabel = new HashMap<>();
    private final Set<ObjectId> rollbackCommits = new HashSet<>();
    private final Set<ObjectId> reviewCommits = new HashSet<>();
    private final Set<ObjectId> fullReview = new HashSet<>();
    private Set<ObjectId> exempt;

    private ReviewLog() {
    }

    /** Reads the review records of a repository's metadata log. */
    public static ReviewLog read(Session session) {
        return read(session, record -> true);
    }

    /**
     * Reads the review records as a policy judges them: with {@code signing.signatures}
     * {@code required}, a decision counts only when its signature is valid for its verifier, so
     * an unsigned or forged decision fetched from another clone verifies nothing.
     */
    public static ReviewLog read(Session session, Policy policy) {
        if (!RecordSignatures.required(policy)) {
            return read(session);
        }
        RecordSignatures signatures = new RecordSignatures(session);
        return read(session, record -> signatures.check(record).state() == RecordSignatures.State.VALID);
    }

    private static ReviewLog read(Session session, Predicate<MetaRecord> countsDecision) {
        ReviewLog log = new ReviewLog();
        MetadataLog meta = session.repository().metadataLog();
        for (ObjectId id : meta.ids()) {
            MetaRecord r = meta.read(id);
            switch (r.kind()) {
                case MetaKinds.REVIEW_SAMPLE -> log.addSample(id, r);
                case MetaKinds.REVIEW_DECISION -> {
                    if (countsDecision.test(r)) {
                        log.addDecision(id, r);
                    }
                }
                case MetaKinds.ROLLBACK -> log.rollbackCommits.add(r.subject());
                case MetaKinds.FULL_REVIEW -> log.fullReview.add(r.subject());
                default -> {
                    // Other kinds are not review facts.
                }
            }
        }
        return log;
    }

    private void addSample(ObjectId id, MetaRecord r) {
        Map<String, Object> b = r.body();
        List<Item> items = new ArrayList<>();
        for (Object o : list(b.get("items"))) {
            Map<?, ?> m = (Map<?, ?>) o;
            items.add(new Item(ObjectId.parse((String) m.get("label")), (String) m.get("path"),
                    ObjectId.parse((String) m.get("commit")), (String) m.get("day"), (String) m.get("stratum")));
        }
        List<ObjectId> commits = new ArrayList<>();
        for (Object o : list(b.get("commits"))) {
            commits.add(ObjectId.parse((String) o));
        }
        List<Group> groups = new ArrayList<>();
        for (Object o : list(b.get("groups"))) {
            Map<?, ?> m = (Map<?, ?>) o;
            List<ObjectId> groupCommits = new ArrayList<>();
            for (Object c : list(m.get("commits"))) {
                groupCommits.add(ObjectId.parse((String) c));
            }
            groups.add(new Group(new GroupKey((String) m.get("key"), (String) m.get("stratum")),
                    ((Number) m.get("population")).longValue(), ((Number) m.get("drawn")).longValue(), groupCommits));
        }
        List<String> stratify = new ArrayList<>();
        for (Object o : list(b.get("stratify"))) {
            stratify.add((String) o);
        }
        Sample s = new Sample(id, r.subject(), r.author(), r.time(), new BigDecimal(String.valueOf(b.get("rate"))),
                (String) b.get("by"), stratify, (String) b.get("seed"), items, commits, groups);
        samples.add(s);
        for (ObjectId c : commits) {
            sampleOfCommit.putIfAbsent(c, s);
        }
        for (Item item : items) {
            itemOfLabel.putIfAbsent(item.label(), item);
            sampleOfLabel.putIfAbsent(item.label(), s);
        }
    }

    private void addDecision(ObjectId id, MetaRecord r) {
        Map<String, Object> b = r.body();
        Decision d = new Decision(id, r.subject(), r.author(), r.time(), (String) b.get("decision"),
                id(b.get("sample")), (String) b.get("path"), id(b.get("new_label")), id(b.get("relabel_commit")),
                (String) b.get("note"));
        Decision earlier = decisionOfLabel.get(d.label());
        // A relabel is final; a later pass or reject replaces an earlier pass or reject.
        if (earlier == null || !earlier.decision().equals(ReviewRecorder.RELABEL)) {
            decisionOfLabel.put(d.label(), d);
        }
        if (d.relabelCommit() != null) {
            reviewCommits.add(d.relabelCommit());
        }
    }

    private static ObjectId id(Object value) {
        return value == null ? null : ObjectId.parse((String) value);
    }

    private static List<?> list(Object value) {
        return value instanceof List<?> l ? l : List.of();
    }

    public List<Sample> samples() {
        return samples;
    }

    /** Returns the sample whose population included the commit, or null. */
    public Sample sampleCovering(ObjectId commit) {
        return sampleOfCommit.get(commit);
    }

    /** Returns the item of a sampled label record, or null when no sample contains it. */
    public Item item(ObjectId label) {
        return itemOfLabel.get(label);
    }

    /** Returns the sample that contains a label record, or null. */
    public Sample sampleOf(ObjectId label) {
        return sampleOfLabel.get(label);
    }

    /** Returns the decision in force for a label record, or null when it is undecided. */
    public Decision decision(ObjectId label) {
        return decisionOfLabel.get(label);
    }

    /** Returns the commits that introduce no label records to review: rollbacks and review relabels. */
    public Set<ObjectId> exemptCommits() {
        if (exempt == null) {
            exempt = new HashSet<>(rollbackCommits);
            exempt.addAll(reviewCommits);
        }
        return exempt;
    }

    /** Returns true when a full-review mark names the label record. */
    public boolean needsFullReview(ObjectId label) {
        return fullReview.contains(label);
    }

    /** Returns true when the commit is a relabel commit written by a review decision. */
    public boolean isReviewCommit(ObjectId commit) {
        return reviewCommits.contains(commit);
    }

    /** Returns the label records whose decision in force is a reject. */
    public Set<ObjectId> rejectedLabels() {
        Set<ObjectId> out = new HashSet<>();
        decisionOfLabel.forEach((label, d) -> {
            if (d.decision().equals(ReviewRecorder.REJECT)) {
                out.add(label);
            }
        });
        return out;
    }
}

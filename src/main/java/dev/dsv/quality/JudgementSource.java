package dev.dsv.quality;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.index.JudgementRow;
import dev.dsv.model.LabelRecord;
import dev.dsv.model.MetaRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.model.Times;
import dev.dsv.repo.MetadataLog;
import dev.dsv.service.MetaKinds;
import dev.dsv.service.Session;
import java.io.IOException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The judgements of the images of a revision, one image at a time: every indexed label record of
 * the image's blob, and the verifiers' review decisions on those records. See the design section
 * "Agreement and drift" for what counts and why.
 */
public final class JudgementSource {
    /** The origin of a judgement. */
    public enum Kind {
        /** A label record. */
        LABEL,
        /** A verifier's review decision on a label record. */
        REVIEW
    }

    /**
     * One rater's judgement of one image. {@code category} is null for a rejecting review
     * decision, which states disagreement without a category. For a review, {@code month} and
     * {@code day} are those of the decided record, {@code subjectLabeler} its labeler and
     * {@code decision} the decision; for a label record they are its own and {@code decision} is
     * null. {@code verifierRecord} marks a label record that is the new label of a relabel.
     * {@code guideline} is the guideline version of the label record (for a review, of the
     * decided record), or null when it names none.
     */
    public record Judgement(Kind kind, String rater, String category, List<String> defects, OffsetDateTime time,
                            YearMonth month, LocalDate day, String labelId, String decision,
                            String subjectLabeler, boolean verifierRecord, String guideline) {
    }

    /** The judgements of one image (blob) with its cell type. */
    public record ImageJudgements(String blob, String cellType, List<Judgement> judgements) {
    }

    /** A review decision as the metadata log states it. */
    public record Decision(String verifier, OffsetDateTime time, String decision, List<String> newDefects,
                           ObjectId newLabel) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Session session;
    private final ObjectId commit;
    private final ObjectId tree;
    private final ZoneId zone;
    private final Map<ObjectId, List<Decision>> decisions = new HashMap<>();
    private final Set<ObjectId> verifierLabels = new HashSet<>();
    private final List<MetaRecord> goldTests = new ArrayList<>();
    private long rejectDecisions;

    /** Resolves the revision, makes sure it is indexed, and reads the review decisions and gold tests. */
    public JudgementSource(Session session, String revision) {
        this.session = session;
        this.commit = session.resolve(revision);
        session.indexHistory(commit);
        this.tree = session.readCommit(commit).tree();
        this.zone = session.repository().config().timeZone();
        readMetadata();
    }

    public ObjectId commit() {
        return commit;
    }

    public ObjectId tree() {
        return tree;
    }

    public ZoneId zone() {
        return zone;
    }

    /** Returns the {@code gold-test} records of the log, in append order. */
    public List<MetaRecord> goldTests() {
        return goldTests;
    }

    /** Returns the review decisions by the label record they decided. */
    public Map<ObjectId, List<Decision>> decisions() {
        return decisions;
    }

    private void readMetadata() {
        MetadataLog log = session.repository().metadataLog();
        for (ObjectId id : log.ids()) {
            MetaRecord r = log.read(id);
            if (r.kind().equals(MetaKinds.GOLD_TEST)) {
                goldTests.add(r);
            } else if (r.kind().equals(MetaKinds.REVIEW_DECISION) && r.subject() != null) {
                Decision d = decision(id, r);
                decisions.computeIfAbsent(r.subject(), k -> new ArrayList<>()).add(d);
                if (d.newLabel() != null) {
                    verifierLabels.add(d.newLabel());
                }
                rejectDecisions += d.decision().equals("reject") ? 1 : 0;
            }
        }
    }

    private Decision decision(ObjectId id, MetaRecord r) {
        Object decision = r.body().get("decision");
        if (!(decision instanceof String text) || !List.of("pass", "reject", "relabel").contains(text)) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.quality.badDecision", id.hex(), String.valueOf(decision));
        }
        List<String> newDefects = null;
        ObjectId newLabel = null;
        if (text.equals("relabel")) {
            Object value = r.body().get("new_label");
            if (value instanceof String s && ObjectId.isValidHex(s.trim())) {
                newLabel = ObjectId.parse(s.trim());
                LabelRecord label = session.readLabel(newLabel);
                newDefects = label.defectTypes();
            } else if (value instanceof String s) {
                newDefects = s.isBlank() || s.trim().equals(LabelCategory.NONE) ? List.of()
                        : java.util.Arrays.stream(s.split(";")).map(String::trim).filter(t -> !t.isEmpty()).toList();
            } else if (value instanceof List<?> list) {
                newDefects = list.stream().map(String::valueOf).toList();
            } else {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.quality.badNewLabel", id.hex(), String.valueOf(value));
            }
        }
        return new Decision(r.author(), r.time(), text, newDefects, newLabel);
    }

    /** Returns the number of rejecting review decisions in the log. */
    public long rejectDecisions() {
        return rejectDecisions;
    }

    /** Returns the month of a time in the library time zone. */
    public YearMonth monthOf(OffsetDateTime time) {
        return YearMonth.from(time.atZoneSameInstant(zone));
    }

    /** Returns the day of a time in the library time zone. */
    public LocalDate dayOf(OffsetDateTime time) {
        return time.atZoneSameInstant(zone).toLocalDate();
    }

    /** Streams the images of the revision with their judgements, one image at a time. */
    public void forEachImage(Consumer<ImageJudgements> consumer) {
        List<JudgementRow> rows = new ArrayList<>();
        String[] current = {null};
        session.index().listJudgements(tree, row -> {
            if (current[0] != null && !current[0].equals(row.blob())) {
                consumer.accept(image(rows));
                rows.clear();
            }
            current[0] = row.blob();
            rows.add(row);
        });
        if (!rows.isEmpty()) {
            consumer.accept(image(rows));
        }
    }

    private ImageJudgements image(List<JudgementRow> rows) {
        List<Judgement> out = new ArrayList<>();
        Set<String> labelIds = new HashSet<>();
        for (JudgementRow row : rows) {
            labelIds.add(row.label());
        }
        for (JudgementRow row : rows) {
            OffsetDateTime at = Times.parseOrNull(row.labeledAt());
            if (at == null) {
                throw new DsvException(ExitCode.INTEGRITY, "error.quality.badTime", row.label(), row.labeledAt());
            }
            List<String> defects = defectTypes(row);
            YearMonth month = monthOf(at);
            LocalDate day = dayOf(at);
            ObjectId id = ObjectId.parse(row.label());
            boolean verifierRecord = verifierLabels.contains(id);
            out.add(new Judgement(Kind.LABEL, row.labeler(), LabelCategory.of(defects), defects, at, month, day,
                    row.label(), null, null, verifierRecord, row.guideline()));
            for (Decision d : decisions.getOrDefault(id, List.of())) {
                boolean counted = d.newLabel() != null && labelIds.contains(d.newLabel().hex());
                String category = switch (d.decision()) {
                    case "pass" -> LabelCategory.of(defects);
                    case "relabel" -> LabelCategory.of(d.newDefects());
                    default -> null;
                };
                List<String> verdict = d.decision().equals("relabel") ? d.newDefects() : defects;
                // A relabel whose new record is itself among the image's records is counted once, as that record.
                out.add(new Judgement(Kind.REVIEW, d.verifier(), counted ? null : category,
                        category == null ? List.of() : verdict, d.time(), month, day, row.label(), d.decision(),
                        row.labeler(), false, row.guideline()));
            }
        }
        return new ImageJudgements(rows.get(0).blob(), rows.get(0).cellType(), out);
    }

    private static List<String> defectTypes(JudgementRow row) {
        try {
            JsonNode array = JSON.readTree(row.defectsJson());
            List<String> types = new ArrayList<>();
            for (JsonNode d : array) {
                types.add(d.path("type").asText());
            }
            return types;
        } catch (IOException e) {
            throw new DsvException(ExitCode.INTEGRITY, e, "error.quality.badDefects", row.label(), e.getMessage());
        }
    }
}

package dev.dsv.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * A labeler's judgement of one blob. Immutable and content-addressed; a relabel is a new record
 * whose {@code supersedes} names the record it replaces. Defects are kept sorted by type, one
 * entry per type. Confidence, when present, lies in [0, 1] with 6 decimal places.
 *
 * <p>Two optional fields arrived with label version 2: {@code guideline}, the labeling guideline
 * version the labeler followed, and {@code change}, the id of the vocabulary change record that
 * produced this record. A record without both is encoded as version 1, byte for byte as before.
 */
public record LabelRecord(
        ObjectId image,
        List<Defect> defects,
        String labeler,
        OffsetDateTime labeledAt,
        BigDecimal confidence,
        ObjectId supersedes,
        String guideline,
        ObjectId change) {

    public static final int CONFIDENCE_SCALE = 6;
    /** The newest label version this dsv reads and writes. */
    public static final int MAX_VERSION = 2;

    /** A record without guideline and change (label version 1). */
    public LabelRecord(ObjectId image, List<Defect> defects, String labeler, OffsetDateTime labeledAt,
                       BigDecimal confidence, ObjectId supersedes) {
        this(image, defects, labeler, labeledAt, confidence, supersedes, null, null);
    }

    public LabelRecord {
        List<Defect> sorted = new ArrayList<>(defects);
        sorted.sort(Comparator.comparing(Defect::type, CanonicalJson.CODE_POINT_ORDER));
        defects = List.copyOf(sorted);
        labeler = CanonicalJson.nfc(labeler);
        guideline = guideline == null ? null : CanonicalJson.nfc(guideline);
        confidence = confidence == null ? null : CanonicalJson.round(confidence, CONFIDENCE_SCALE);
    }

    /** Returns the defect types in order, or an empty list for a label without defects. */
    public List<String> defectTypes() {
        return defects.stream().map(Defect::type).toList();
    }

    /** Returns a copy with another {@code supersedes} link. */
    public LabelRecord withSupersedes(ObjectId previous) {
        return new LabelRecord(image, defects, labeler, labeledAt, confidence, previous, guideline, change);
    }

    /** Returns a copy with another labeled-at time. */
    public LabelRecord withLabeledAt(OffsetDateTime time) {
        return new LabelRecord(image, defects, labeler, time, confidence, supersedes, guideline, change);
    }

    /**
     * Returns true when both records state the same judgement under the same guideline, ignoring
     * time and history (the superseded record and the vocabulary change that produced a record).
     */
    public boolean sameJudgement(LabelRecord other) {
        return image.equals(other.image) && defects.equals(other.defects)
                && labeler.equals(other.labeler)
                && java.util.Objects.equals(confidence, other.confidence)
                && java.util.Objects.equals(guideline, other.guideline);
    }

    /** Returns a copy with other defects, superseding {@code previous} and produced by {@code changeId}. */
    public LabelRecord withChange(List<Defect> newDefects, ObjectId previous, ObjectId changeId) {
        return new LabelRecord(image, newDefects, labeler, labeledAt, confidence, previous, guideline, changeId);
    }

    /** Returns a copy that names the guideline version followed. */
    public LabelRecord withGuideline(String version) {
        return new LabelRecord(image, defects, labeler, labeledAt, confidence, supersedes, version, change);
    }

    public Map<String, Object> toCanonical() {
        Map<String, Object> m = CanonicalJson.newObject();
        m.put("type", ObjectType.LABEL.jsonName());
        m.put("v", guideline == null && change == null ? 1 : 2);
        m.put("image", image);
        if (!defects.isEmpty()) {
            m.put("defects", defects.stream().map(Defect::toCanonical).toList());
        }
        m.put("labeler", labeler);
        m.put("labeled_at", Times.format(labeledAt));
        m.put("confidence", confidence);
        m.put("supersedes", supersedes);
        m.put("guideline", guideline);
        m.put("change", change);
        return m;
    }

    public byte[] encode() {
        return CanonicalJson.encode(toCanonical());
    }

    /** Decodes the fields of a label object; the caller has checked type, version and form. */
    public static LabelRecord fromJson(JsonNode n) {
        return new LabelRecord(
                ObjectId.parse(n.get("image").asText()),
                defectsFromJson(n.path("defects")),
                n.get("labeler").asText(),
                Times.parseOrNull(n.get("labeled_at").asText()),
                n.has("confidence") ? n.get("confidence").decimalValue() : null,
                n.has("supersedes") ? ObjectId.parse(n.get("supersedes").asText()) : null,
                n.has("guideline") ? n.get("guideline").asText() : null,
                n.has("change") ? ObjectId.parse(n.get("change").asText()) : null);
    }

    /** Decodes a canonical defects array (the {@code defects} field, or an index row's copy of it). */
    public static List<Defect> defectsFromJson(JsonNode array) {
        List<Defect> defects = new ArrayList<>();
        for (JsonNode d : array) {
            List<Region> regions = new ArrayList<>();
            for (JsonNode r : d.path("regions")) {
                if (r.has("box")) {
                    regions.add(Region.box(decimals(r.get("box"))));
                } else {
                    List<List<BigDecimal>> points = new ArrayList<>();
                    for (JsonNode p : r.get("polygon")) {
                        points.add(decimals(p));
                    }
                    regions.add(Region.polygon(points));
                }
            }
            defects.add(new Defect(d.get("type").asText(), regions));
        }
        return defects;
    }

    private static List<BigDecimal> decimals(JsonNode array) {
        List<BigDecimal> values = new ArrayList<>();
        for (JsonNode v : array) {
            values.add(v.decimalValue());
        }
        return values;
    }
}

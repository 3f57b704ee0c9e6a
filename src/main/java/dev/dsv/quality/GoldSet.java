package dev.dsv.quality;

import dev.dsv.model.CanonicalJson;
import dev.dsv.model.MetaRecord;
import dev.dsv.model.ObjectId;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One version of the gold set, as its {@code gold-set} record states it: the commit the image
 * paths were resolved at, the consensus label of every kept image, and the images left out with
 * the experts' votes.
 *
 * @param id the id of the {@code gold-set} record
 * @param version 1 for the first import, then one more per import
 */
public record GoldSet(ObjectId id, long version, ObjectId commit, String revision, String file, OffsetDateTime time,
                      String author, long minExperts, BigDecimal minAgreement, List<Image> kept,
                      List<Dropped> contested, List<Dropped> tooFewExperts) {

    /**
     * A kept image: its consensus defect types (empty for no defect), the label record that
     * stores them, and the experts who voted.
     */
    public record Image(String path, ObjectId blob, String cellType, ObjectId label, List<String> defects,
                        List<String> experts, BigDecimal agreement) {
        Map<String, Object> toCanonical() {
            Map<String, Object> m = CanonicalJson.newObject();
            m.put("path", path);
            m.put("blob", blob);
            m.put("cell_type", cellType);
            m.put("label", label);
            m.put("defects", defects);
            m.put("experts", experts);
            m.put("agreement", agreement);
            return m;
        }
    }

    /** An image left out, with each expert's defect types (an empty list for no defect). */
    public record Dropped(String path, ObjectId blob, String cellType, Map<String, List<String>> votes) {
        Map<String, Object> toCanonical() {
            Map<String, Object> m = CanonicalJson.newObject();
            m.put("path", path);
            m.put("blob", blob);
            m.put("cell_type", cellType);
            m.put("votes", votes);
            return m;
        }
    }

    /** Returns the record body of this gold set. */
    Map<String, Object> toBody() {
        Map<String, Object> m = CanonicalJson.newObject();
        m.put("version", version);
        m.put("commit", commit);
        m.put("rev", revision);
        m.put("file", file);
        m.put("min_experts", minExperts);
        m.put("min_agreement", minAgreement);
        m.put("kept", kept.stream().map(Image::toCanonical).toList());
        m.put("contested", contested.stream().map(Dropped::toCanonical).toList());
        m.put("too_few_experts", tooFewExperts.stream().map(Dropped::toCanonical).toList());
        return m;
    }

    /** Reads a gold set from its record. */
    @SuppressWarnings("unchecked")
    static GoldSet fromRecord(ObjectId id, MetaRecord r) {
        Map<String, Object> b = r.body();
        List<Image> kept = new ArrayList<>();
        for (Object o : (List<Object>) b.getOrDefault("kept", List.of())) {
            Map<String, Object> m = (Map<String, Object>) o;
            kept.add(new Image((String) m.get("path"), ObjectId.parse((String) m.get("blob")), (String) m.get("cell_type"),
                    ObjectId.parse((String) m.get("label")), strings(m.get("defects")), strings(m.get("experts")),
                    decimal(m.get("agreement"))));
        }
        return new GoldSet(id, ((Number) b.get("version")).longValue(), ObjectId.parse((String) b.get("commit")),
                (String) b.get("rev"), (String) b.get("file"), r.time(), r.author(),
                ((Number) b.get("min_experts")).longValue(), decimal(b.get("min_agreement")), kept,
                dropped(b.get("contested")), dropped(b.get("too_few_experts")));
    }

    @SuppressWarnings("unchecked")
    private static List<Dropped> dropped(Object list) {
        List<Dropped> out = new ArrayList<>();
        for (Object o : list == null ? List.of() : (List<Object>) list) {
            Map<String, Object> m = (Map<String, Object>) o;
            Map<String, List<String>> votes = new TreeMap<>();
            ((Map<String, Object>) m.getOrDefault("votes", Map.of())).forEach((k, v) -> votes.put(k, strings(v)));
            out.add(new Dropped((String) m.get("path"), ObjectId.parse((String) m.get("blob")), (String) m.get("cell_type"), votes));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object list) {
        return list == null ? List.of() : ((List<Object>) list).stream().map(String::valueOf).toList();
    }

    private static BigDecimal decimal(Object v) {
        return v == null ? null : new BigDecimal(v.toString());
    }

    /** Returns the class name of a set of defect types: the sorted types joined by "+", or "none". */
    public static String className(List<String> defects) {
        if (defects.isEmpty()) {
            return "none";
        }
        List<String> sorted = new ArrayList<>(defects);
        sorted.sort(CanonicalJson.CODE_POINT_ORDER);
        return String.join("+", sorted);
    }
}

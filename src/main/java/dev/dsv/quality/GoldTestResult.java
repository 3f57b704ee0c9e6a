package dev.dsv.quality;

import dev.dsv.model.CanonicalJson;
import dev.dsv.model.MetaRecord;
import dev.dsv.model.ObjectId;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A labeler's scored answers on a gold set, as a {@code gold-test} record states them. A class is
 * the set of defect types of an image written as {@link GoldSet#className}; an answer is correct
 * when its set of defect types equals the gold set's. Accuracy is correct / answered, rounded to 6
 * decimal places; {@code passed} compares the exact fraction with the pass mark.
 *
 * @param confusion gold class, then answered class, then the number of images
 * @param pausedUntil the first day the labeler may label again after a failed test, or null
 */
public record GoldTestResult(ObjectId id, String labeler, String month, ObjectId goldSet, long goldVersion,
                             long answered, long correct, BigDecimal accuracy, long unanswered, BigDecimal passMark,
                             boolean passed, List<ClassFigures> byClass, Map<String, Map<String, Long>> confusion,
                             LocalDate pausedUntil, OffsetDateTime time, String author) {

    /** The figures of one cell type x gold class. */
    public record ClassFigures(String cellType, String className, long answered, long correct, BigDecimal accuracy) {
        Map<String, Object> toCanonical() {
            Map<String, Object> m = CanonicalJson.newObject();
            m.put("cell_type", cellType);
            m.put("class", className);
            m.put("answered", answered);
            m.put("correct", correct);
            m.put("accuracy", accuracy);
            return m;
        }
    }

    Map<String, Object> toBody() {
        Map<String, Object> m = CanonicalJson.newObject();
        m.put("labeler", labeler);
        m.put("month", month);
        m.put("gold_set", goldSet);
        m.put("gold_version", goldVersion);
        m.put("answered", answered);
        m.put("correct", correct);
        m.put("accuracy", accuracy);
        m.put("unanswered", unanswered);
        m.put("pass_mark", passMark);
        m.put("passed", passed);
        m.put("by_class", byClass.stream().map(ClassFigures::toCanonical).toList());
        m.put("confusion", confusion);
        m.put("paused_until", pausedUntil == null ? null : pausedUntil.toString());
        return m;
    }

    @SuppressWarnings("unchecked")
    static GoldTestResult fromRecord(ObjectId id, MetaRecord r) {
        Map<String, Object> b = r.body();
        List<ClassFigures> byClass = new ArrayList<>();
        for (Object o : (List<Object>) b.getOrDefault("by_class", List.of())) {
            Map<String, Object> m = (Map<String, Object>) o;
            byClass.add(new ClassFigures((String) m.get("cell_type"), (String) m.get("class"), number(m.get("answered")),
                    number(m.get("correct")), new BigDecimal(m.get("accuracy").toString())));
        }
        Map<String, Map<String, Long>> confusion = new TreeMap<>();
        ((Map<String, Object>) b.getOrDefault("confusion", Map.of())).forEach((gold, row) -> {
            Map<String, Long> counts = new TreeMap<>();
            ((Map<String, Object>) row).forEach((answer, n) -> counts.put(answer, number(n)));
            confusion.put(gold, counts);
        });
        Object until = b.get("paused_until");
        return new GoldTestResult(id, (String) b.get("labeler"), (String) b.get("month"),
                ObjectId.parse((String) b.get("gold_set")), number(b.get("gold_version")), number(b.get("answered")),
                number(b.get("correct")), new BigDecimal(b.get("accuracy").toString()), number(b.get("unanswered")),
                new BigDecimal(b.get("pass_mark").toString()), Boolean.TRUE.equals(b.get("passed")), byClass, confusion,
                until == null ? null : LocalDate.parse(until.toString()), r.time(), r.author());
    }

    private static long number(Object o) {
        return o == null ? 0 : ((Number) o).longValue();
    }
}

package dev.dsv.cli;

import dev.dsv.model.CanonicalJson;
import dev.dsv.model.CellDefect;
import dev.dsv.model.Commit;
import dev.dsv.model.Defect;
import dev.dsv.model.ImageEntry;
import dev.dsv.model.LabelRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.model.Region;
import dev.dsv.model.Times;
import dev.dsv.service.Change;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** JSON shapes of model values, shared by the commands. Documented in docs/cli.md. */
final class Views {
    private Views() {
    }

    static Map<String, Object> commit(ObjectId id, Commit c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id.hex());
        m.put("tree", c.tree().hex());
        m.put("parents", c.parents().stream().map(ObjectId::hex).toList());
        m.put("committer", c.committer());
        m.put("time", Times.format(c.time()));
        m.put("message", c.message());
        m.put("touches", touches(c.touches()));
        m.put("sources", c.sources());
        return m;
    }

    static List<Map<String, String>> touches(List<CellDefect> pairs) {
        List<Map<String, String>> out = new ArrayList<>();
        for (CellDefect p : pairs) {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("cell_type", p.cellType());
            m.put("defect", p.defect());
            out.add(m);
        }
        return out;
    }

    static Map<String, Object> entry(ImageEntry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sha256", e.blob().hex());
        m.put("label", e.label().hex());
        m.put("cell_type", e.cellType());
        m.put("split", e.split());
        m.put("source", e.source());
        if (e.generator() != null) {
            m.put("generator", e.generator());
        }
        m.put("attributes", e.attributes());
        if (!e.features().isEmpty()) {
            Map<String, Object> features = new LinkedHashMap<>();
            e.features().forEach((name, vector) -> features.put(name, vector.hex()));
            m.put("features", features);
        }
        return m;
    }

    static Map<String, Object> label(ObjectId id, LabelRecord r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id.hex());
        m.put("image", r.image().hex());
        m.put("defects", defects(r.defects()));
        m.put("labeler", r.labeler());
        m.put("labeled_at", Times.format(r.labeledAt()));
        m.put("confidence", r.confidence() == null ? null : new java.math.BigDecimal(CanonicalJson.plain(r.confidence())));
        m.put("supersedes", r.supersedes() == null ? null : r.supersedes().hex());
        if (r.guideline() != null) {
            m.put("guideline", r.guideline());
        }
        if (r.change() != null) {
            m.put("change", r.change().hex());
        }
        return m;
    }

    static List<Map<String, Object>> defects(List<Defect> defects) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Defect d : defects) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", d.type());
            List<Object> regions = new ArrayList<>();
            for (Region r : d.regions()) {
                Map<String, Object> rm = new LinkedHashMap<>();
                if (r.box() != null) {
                    rm.put("box", r.box().stream().map(CanonicalJson::plain).map(java.math.BigDecimal::new).toList());
                } else {
                    rm.put("polygon", r.polygon().stream()
                            .map(p -> p.stream().map(CanonicalJson::plain).map(java.math.BigDecimal::new).toList()).toList());
                }
                regions.add(rm);
            }
            m.put("regions", regions);
            out.add(m);
        }
        return out;
    }

    static Map<String, Object> change(Change c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", c.path());
        m.put("kind", c.kind().name().toLowerCase(java.util.Locale.ROOT));
        m.put("before", c.before() == null ? null : entry(c.before()));
        m.put("after", c.after() == null ? null : entry(c.after()));
        return m;
    }

    static Map<String, Object> counts(Map<Change.Kind, Integer> counts) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Change.Kind k : Change.Kind.values()) {
            m.put(k.name().toLowerCase(java.util.Locale.ROOT), counts.getOrDefault(k, 0));
        }
        return m;
    }

    /** Formats change counts as "2 added, 1 relabeled", leaving out zeros. */
    static String countsText(Output out, Map<Change.Kind, Integer> counts) {
        List<String> parts = new ArrayList<>();
        for (Change.Kind k : Change.Kind.values()) {
            int n = counts.getOrDefault(k, 0);
            if (n > 0) {
                parts.add(out.text("change.count." + k.name().toLowerCase(java.util.Locale.ROOT), n));
            }
        }
        return parts.isEmpty() ? out.text("change.none") : String.join(", ", parts);
    }

    static String pairsText(List<CellDefect> pairs) {
        List<String> parts = new ArrayList<>();
        for (CellDefect p : pairs) {
            parts.add(p.cellType() + " x " + p.defect());
        }
        return String.join(", ", parts);
    }
}

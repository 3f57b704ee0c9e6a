package dev.dsv.model;

import java.util.List;
import java.util.Map;

/** One defect of a label record: a defect type from the vocabulary and its regions, if any. */
public record Defect(String type, List<Region> regions) {
    /** The pseudo-defect shown for an image whose label has no defects. */
    public static final String NONE = "none";

    public Defect {
        regions = List.copyOf(regions);
    }

    public Map<String, Object> toCanonical() {
        Map<String, Object> m = CanonicalJson.newObject();
        m.put("type", type);
        if (!regions.isEmpty()) {
            m.put("regions", regions.stream().map(Region::toCanonical).toList());
        }
        return m;
    }
}

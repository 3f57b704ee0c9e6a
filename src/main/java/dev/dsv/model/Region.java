package dev.dsv.model;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A defect region in pixel coordinates: a box {@code [x, y, width, height]} or a polygon of at
 * least three points. Coordinates are rounded half-even to 3 decimal places.
 */
public record Region(List<BigDecimal> box, List<List<BigDecimal>> polygon) {
    public static final int SCALE = 3;

    public Region {
        if ((box == null) == (polygon == null)) {
            throw new IllegalArgumentException("a region is either a box or a polygon");
        }
        box = box == null ? null : box.stream().map(Region::round).toList();
        polygon = polygon == null ? null
                : polygon.stream().map(p -> p.stream().map(Region::round).toList()).toList();
    }

    public static Region box(List<BigDecimal> xywh) {
        return new Region(xywh, null);
    }

    public static Region polygon(List<List<BigDecimal>> points) {
        return new Region(null, points);
    }

    private static BigDecimal round(BigDecimal v) {
        return CanonicalJson.round(v, SCALE);
    }

    /** Returns the value to encode canonically. */
    public Map<String, Object> toCanonical() {
        Map<String, Object> m = CanonicalJson.newObject();
        if (box != null) {
            m.put("box", new ArrayList<>(box));
        } else {
            m.put("polygon", new ArrayList<>(polygon));
        }
        return m;
    }
}

package dev.dsv.service;

import dev.dsv.model.Defect;
import dev.dsv.model.Region;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rewrites one label's defects for a vocabulary change: the defects of the old types become the
 * target types. With one target the old regions move to it (after the regions it already has);
 * with several targets they cannot be attributed to one of them and are dropped.
 */
final class DefectMapping {
    /** The rewritten defects and how many regions were dropped. */
    record Mapped(List<Defect> defects, int regionsDropped, boolean changed) {
    }

    private DefectMapping() {
    }

    /** Maps {@code defects}; a label without any of the {@code from} types comes back unchanged. */
    static Mapped apply(List<Defect> defects, List<String> from, List<String> targets) {
        List<Region> moved = new ArrayList<>();
        boolean affected = false;
        for (String type : from) {
            for (Defect d : defects) {
                if (d.type().equals(type)) {
                    moved.addAll(d.regions());
                    affected = true;
                }
            }
        }
        if (!affected) {
            return new Mapped(defects, 0, false);
        }
        Map<String, List<Region>> out = new LinkedHashMap<>();
        for (Defect d : defects) {
            if (!from.contains(d.type())) {
                out.put(d.type(), new ArrayList<>(d.regions()));
            }
        }
        int dropped = 0;
        if (targets.size() == 1) {
            out.computeIfAbsent(targets.get(0), k -> new ArrayList<>()).addAll(moved);
        } else {
            for (String t : targets) {
                out.computeIfAbsent(t, k -> new ArrayList<>());
            }
            dropped = moved.size();
        }
        List<Defect> result = new ArrayList<>();
        out.forEach((type, regions) -> result.add(new Defect(type, regions)));
        result.sort(java.util.Comparator.comparing(Defect::type, dev.dsv.model.CanonicalJson.CODE_POINT_ORDER));
        return new Mapped(List.copyOf(result), dropped, !result.equals(defects));
    }
}

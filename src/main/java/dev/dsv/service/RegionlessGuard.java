package dev.dsv.service;

import dev.dsv.error.Problem;
import dev.dsv.model.Defect;
import dev.dsv.model.LabelRecord;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The check that keeps an annotation-tool import from clearing defect types without regions.
 * COCO, YOLO and VOC files, and Label Studio and Supervisely files as dsv writes them, carry only
 * regions, so a defect type without regions (every ELPV label) is absent from them. Reading such
 * a file back would otherwise relabel the image as if the type had been removed.
 */
final class RegionlessGuard {
    private RegionlessGuard() {
    }

    /**
     * Returns false and adds a problem naming {@code where}, {@code path} and the types when the
     * record in force has defect types without regions and {@code next} has no defect at all (the
     * file carries no annotation for the image).
     * NOTE: an image with other defects in the file is relabeled to those defects, so its defect
     * types without regions are dropped unchecked (docs/design.md lists it as a limit).
     */
    static boolean check(LabelRecord current, List<Defect> next, String where, String path, List<Problem> problems) {
        if (current == null || !next.isEmpty()) {
            return true;
        }
        Set<String> lost = new TreeSet<>();
        for (Defect d : current.defects()) {
            if (d.regions().isEmpty()) {
                lost.add(d.type());
            }
        }
        if (lost.isEmpty()) {
            return true;
        }
        problems.add(new Problem("error.label.regionlessLost", where, path, String.join(";", lost)));
        return false;
    }
}

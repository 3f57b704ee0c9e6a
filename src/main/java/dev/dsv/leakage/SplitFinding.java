package dev.dsv.leakage;

import java.util.List;
import java.util.Map;

/**
 * One thing found in more than one split: a blob (exact duplicates), a group key value or a
 * generator. {@code images} counts its images in every split, {@code examples} gives up to
 * {@link LeakageScan#EXAMPLES} dataset paths per split.
 */
public record SplitFinding(String key, int images, Map<String, Integer> imagesBySplit,
                           Map<String, List<String>> examples) {
}

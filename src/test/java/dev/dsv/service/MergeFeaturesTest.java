package dev.dsv.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.dsv.model.CanonicalJson;
import dev.dsv.model.ImageEntry;
import dev.dsv.model.ObjectId;
import java.nio.charset.StandardCharsets;
import java.util.SortedMap;
import org.apache.commons.codec.digest.DigestUtils;
import org.junit.jupiter.api.Test;

/** The three-way merge of one image treats its feature vectors as one field. */
class MergeFeaturesTest {
    private static ObjectId id(String seed) {
        return ObjectId.fromBytes(DigestUtils.sha256(seed.getBytes(StandardCharsets.UTF_8)));
    }

    private static ImageEntry entry(String split, String... vectors) {
        SortedMap<String, ObjectId> features = CanonicalJson.newObject();
        for (String v : vectors) {
            features.put("clip", id(v));
        }
        return new ImageEntry(id("blob"), id("label"), "mono", "production", null, split, CanonicalJson.newObject(),
                features);
    }

    @Test
    void oneSideChangedWins() {
        ImageEntry base = entry(null);
        ImageEntry ours = entry("train");
        ImageEntry theirs = entry(null, "v1");
        ImageEntry merged = MergeService.mergeFields(base, ours, theirs);
        assertEquals("train", merged.split());
        assertEquals(id("v1"), merged.features().get("clip"));
        assertEquals(merged, MergeService.mergeFields(base, theirs, ours));
    }

    @Test
    void bothChangedAlikeMerges() {
        ImageEntry merged = MergeService.mergeFields(entry(null, "v0"), entry(null, "v1"), entry(null, "v1"));
        assertEquals(id("v1"), merged.features().get("clip"));
    }

    @Test
    void bothChangedDifferentlyConflicts() {
        assertNull(MergeService.mergeFields(entry(null, "v0"), entry(null, "v1"), entry(null, "v2")));
        assertNull(MergeService.mergeFields(entry(null, "v0"), entry(null), entry(null, "v2")));
    }
}

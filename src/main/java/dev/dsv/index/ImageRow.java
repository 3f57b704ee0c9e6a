package dev.dsv.index;

/**
 * One image of a listing, as the index stores it. {@code defectsJson} is the canonical JSON
 * array of the label's defects; {@code confidence} is a plain decimal string or null;
 * {@code guideline} is the guideline version the label followed, or null; {@code featuresJson}
 * is the JSON object of feature-set name to vector id, or null when the image has no vectors.
 */
public record ImageRow(
        String path,
        String blob,
        String label,
        String cellType,
        String split,
        String source,
        String generator,
        String attributesJson,
        String labeler,
        String labeledAt,
        String confidence,
        String defectsJson,
        String guideline,
        String featuresJson) {

    /** Returns the JSON text of a feature map as {@code featuresJson} stores it: null when empty. */
    public static String encodeFeatures(java.util.Map<String, dev.dsv.model.ObjectId> features) {
        return features.isEmpty() ? null
                : new String(dev.dsv.model.CanonicalJson.encode(features), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Returns the feature-set names and vector ids of this image, empty when it has none. */
    public java.util.SortedMap<String, dev.dsv.model.ObjectId> features() {
        java.util.SortedMap<String, dev.dsv.model.ObjectId> out = dev.dsv.model.CanonicalJson.newObject();
        if (featuresJson == null) {
            return out;
        }
        try {
            dev.dsv.model.CanonicalJson.parse(featuresJson.getBytes(java.nio.charset.StandardCharsets.UTF_8)).properties()
                    .forEach(e -> out.put(e.getKey(), dev.dsv.model.ObjectId.parse(e.getValue().asText())));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }
}

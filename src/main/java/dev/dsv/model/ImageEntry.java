package dev.dsv.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;

/**
 * The content of a tree at a dataset path: the blob, the label record in force, the image facts and
 * the feature vectors (feature-set name to vector id, empty for most images). Changing a fact
 * (split, attribute) or a vector gives a new entry but leaves the label record alone.
 * {@code generator} is set for synthetic images only; {@code split} may be null (no split).
 */
public record ImageEntry(
        ObjectId blob,
        ObjectId label,
        String cellType,
        String source,
        String generator,
        String split,
        SortedMap<String, String> attributes,
        SortedMap<String, ObjectId> features) {

    public ImageEntry {
        SortedMap<String, String> copy = CanonicalJson.newObject();
        attributes.forEach((k, v) -> copy.put(CanonicalJson.nfc(k), CanonicalJson.nfc(v)));
        attributes = Collections.unmodifiableSortedMap(copy);
        if (features.isEmpty()) {
            features = Collections.emptySortedMap();
        } else {
            SortedMap<String, ObjectId> vectors = CanonicalJson.newObject();
            vectors.putAll(features);
            features = Collections.unmodifiableSortedMap(vectors);
        }
    }

    /** Creates the entry of an image without feature vectors. */
    public ImageEntry(ObjectId blob, ObjectId label, String cellType, String source, String generator, String split,
                      SortedMap<String, String> attributes) {
        this(blob, label, cellType, source, generator, split, attributes, Collections.emptySortedMap());
    }

    public ImageEntry withLabel(ObjectId newLabel) {
        return new ImageEntry(blob, newLabel, cellType, source, generator, split, attributes, features);
    }

    /** Returns a copy with other feature vectors and the same blob, label and facts. */
    public ImageEntry withFeatures(SortedMap<String, ObjectId> newFeatures) {
        return new ImageEntry(blob, label, cellType, source, generator, split, attributes, newFeatures);
    }

    /** Returns true when the facts (everything but blob, label and feature vectors) are equal. */
    public boolean sameFacts(ImageEntry other) {
        return cellType.equals(other.cellType) && source.equals(other.source)
                && Objects.equals(generator, other.generator)
                && Objects.equals(split, other.split)
                && attributes.equals(other.attributes);
    }

    /** Writes the entry's fields (without its name) into a canonical map. */
    public void putCanonical(Map<String, Object> m) {
        if (!attributes.isEmpty()) {
            m.put("attributes", attributes);
        }
        if (!features.isEmpty()) {
            m.put("features", features);
        }
        m.put("blob", blob);
        m.put("label", label);
        m.put("cell_type", cellType);
        m.put("source", source);
        m.put("generator", generator);
        m.put("split", split);
    }

    public static ImageEntry fromJson(JsonNode n) {
        SortedMap<String, String> attributes = CanonicalJson.newObject();
        for (Map.Entry<String, JsonNode> e : n.path("attributes").properties()) {
            attributes.put(e.getKey(), e.getValue().asText());
        }
        SortedMap<String, ObjectId> features = CanonicalJson.newObject();
        for (Map.Entry<String, JsonNode> e : n.path("features").properties()) {
            features.put(e.getKey(), ObjectId.parse(e.getValue().asText()));
        }
        return new ImageEntry(
                ObjectId.parse(n.get("blob").asText()),
                ObjectId.parse(n.get("label").asText()),
                n.get("cell_type").asText(),
                n.get("source").asText(),
                n.has("generator") ? n.get("generator").asText() : null,
                n.has("split") ? n.get("split").asText() : null,
                attributes,
                features);
    }
}

package dev.dsv.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.SortedMap;

/**
 * What a tree holds at a dataset path: the blob, the label record in force and the image facts.
 * Changing a fact (split, attribute) gives a new entry but leaves the label record alone.
 * {@code generator} is set for synthetic images only; {@code split} may be null (no split).
 */
public record ImageEntry(
        ObjectId blob,
        ObjectId label,
        String cellType,
        String source,
        String generator,
        String split,
        SortedMap<String, String> attributes) {

    public ImageEntry {
        SortedMap<String, String> copy = CanonicalJson.newObject();
        attributes.forEach((k, v) -> copy.put(CanonicalJson.nfc(k), CanonicalJson.nfc(v)));
        attributes = java.util.Collections.unmodifiableSortedMap(copy);
    }

    public ImageEntry withLabel(ObjectId newLabel) {
        return new ImageEntry(blob, newLabel, cellType, source, generator, split, attributes);
    }

    /** Returns true when the facts (everything but blob and label) are equal. */
    public boolean sameFacts(ImageEntry other) {
        return cellType.equals(other.cellType) && source.equals(other.source)
                && java.util.Objects.equals(generator, other.generator)
                && java.util.Objects.equals(split, other.split)
                && attributes.equals(other.attributes);
    }

    /** Writes the entry's fields (without its name) into a canonical map. */
    public void putCanonical(Map<String, Object> m) {
        if (!attributes.isEmpty()) {
            m.put("attributes", attributes);
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
        JsonNode a = n.path("attributes");
        for (Map.Entry<String, JsonNode> e : a.properties()) {
            attributes.put(e.getKey(), e.getValue().asText());
        }
        return new ImageEntry(
                ObjectId.parse(n.get("blob").asText()),
                ObjectId.parse(n.get("label").asText()),
                n.get("cell_type").asText(),
                n.get("source").asText(),
                n.has("generator") ? n.get("generator").asText() : null,
                n.has("split") ? n.get("split").asText() : null,
                attributes);
    }
}

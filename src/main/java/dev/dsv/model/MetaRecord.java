package dev.dsv.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.OffsetDateTime;
import java.util.Map;

/**
 * One fact in the metadata log: something that became true after a commit (a verification, a
 * promotion, a registered model). {@code body} is kind-specific and encoded canonically.
 */
public record MetaRecord(String kind, ObjectId subject, String author, OffsetDateTime time,
                         Map<String, Object> body) {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    public Map<String, Object> toCanonical() {
        Map<String, Object> m = CanonicalJson.newObject();
        m.put("type", ObjectType.META.jsonName());
        m.put("v", 1);
        m.put("kind", kind);
        m.put("subject", subject);
        m.put("author", author);
        m.put("time", Times.format(time));
        if (body != null && !body.isEmpty()) {
            m.put("body", body);
        }
        return m;
    }

    public byte[] encode() {
        return CanonicalJson.encode(toCanonical());
    }

    @SuppressWarnings("unchecked")
    public static MetaRecord fromJson(JsonNode n) {
        Map<String, Object> body = n.has("body") ? MAPPER.convertValue(n.get("body"), Map.class) : Map.of();
        return new MetaRecord(
                n.get("kind").asText(),
                n.has("subject") ? ObjectId.parse(n.get("subject").asText()) : null,
                n.get("author").asText(),
                Times.parseOrNull(n.get("time").asText()),
                body);
    }
}

package dev.dsv.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A commit: its tree, parents, committer, time, message, and the computed summaries of what it
 * changed: the touched (cell type, defect) pairs and the sources of added or changed images.
 */
public record Commit(
        ObjectId tree,
        List<ObjectId> parents,
        String committer,
        OffsetDateTime time,
        String message,
        List<CellDefect> touches,
        List<String> sources) {

    public Commit {
        parents = List.copyOf(parents);
        touches = touches.stream().distinct().sorted().toList();
        sources = sources.stream().distinct().sorted(CanonicalJson.CODE_POINT_ORDER).toList();
        committer = CanonicalJson.nfc(committer);
        message = CanonicalJson.nfc(message);
    }

    public Map<String, Object> toCanonical() {
        Map<String, Object> m = CanonicalJson.newObject();
        m.put("type", ObjectType.COMMIT.jsonName());
        m.put("v", 1);
        m.put("tree", tree);
        if (!parents.isEmpty()) {
            m.put("parents", new ArrayList<>(parents));
        }
        m.put("committer", committer);
        m.put("time", Times.format(time));
        m.put("message", message);
        if (!touches.isEmpty()) {
            m.put("touches", touches.stream().map(p -> List.of(p.cellType(), p.defect())).toList());
        }
        if (!sources.isEmpty()) {
            m.put("sources", sources);
        }
        return m;
    }

    public byte[] encode() {
        return CanonicalJson.encode(toCanonical());
    }

    public static Commit fromJson(JsonNode n) {
        List<ObjectId> parents = new ArrayList<>();
        for (JsonNode p : n.path("parents")) {
            parents.add(ObjectId.parse(p.asText()));
        }
        List<CellDefect> touches = new ArrayList<>();
        for (JsonNode t : n.path("touches")) {
            touches.add(new CellDefect(t.get(0).asText(), t.get(1).asText()));
        }
        List<String> sources = new ArrayList<>();
        for (JsonNode s : n.path("sources")) {
            sources.add(s.asText());
        }
        return new Commit(
                ObjectId.parse(n.get("tree").asText()),
                parents,
                n.get("committer").asText(),
                Times.parseOrNull(n.get("time").asText()),
                n.get("message").asText(),
                touches,
                sources);
    }
}

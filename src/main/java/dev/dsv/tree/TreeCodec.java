package dev.dsv.tree;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.model.CanonicalJson;
import dev.dsv.model.ImageEntry;
import dev.dsv.model.ObjectId;
import dev.dsv.model.ObjectType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** Canonical encoding and checked decoding of tree nodes. */
public final class TreeCodec {
    private TreeCodec() {
    }

    public static byte[] encode(TreeNode node) {
        Map<String, Object> m = CanonicalJson.newObject();
        m.put("type", ObjectType.TREE.jsonName());
        m.put("v", 1);
        if (node instanceof TreeNode.Flat flat) {
            if (!flat.entries().isEmpty()) {
                List<Object> entries = new ArrayList<>();
                for (TreeEntry e : flat.entries()) {
                    Map<String, Object> em = CanonicalJson.newObject();
                    em.put("name", e.name());
                    if (e.isFolder()) {
                        em.put("tree", e.tree());
                    } else {
                        e.image().putCanonical(em);
                    }
                    entries.add(em);
                }
                m.put("entries", entries);
            }
        } else {
            TreeNode.Buckets b = (TreeNode.Buckets) node;
            List<Object> buckets = new ArrayList<>();
            b.children().forEach((key, child) -> {
                Map<String, Object> bm = CanonicalJson.newObject();
                bm.put("key", Integer.toHexString(key));
                bm.put("node", child);
                buckets.add(bm);
            });
            m.put("buckets", buckets);
            m.put("count", b.count());
            m.put("level", b.level());
        }
        return CanonicalJson.encode(m);
    }

    /**
     * Decodes a tree object and checks that it is in canonical form (sorted, no duplicates, exact
     * re-encoding); anything else is an integrity error naming the id.
     */
    public static TreeNode decode(ObjectId id, byte[] bytes) {
        TreeNode node;
        try {
            JsonNode n = CanonicalJson.parse(bytes);
            if (!"tree".equals(n.path("type").asText()) || n.path("v").asInt() != 1) {
                throw new DsvException(ExitCode.INTEGRITY, "error.object.undecodable", id.hex(), "not a version 1 tree");
            }
            if (n.has("buckets")) {
                SortedMap<Integer, ObjectId> children = new TreeMap<>();
                for (JsonNode b : n.get("buckets")) {
                    children.put(Integer.parseInt(b.get("key").asText(), 16), ObjectId.parse(b.get("node").asText()));
                }
                node = new TreeNode.Buckets(n.get("level").asInt(), n.get("count").asInt(), children);
            } else {
                List<TreeEntry> entries = new ArrayList<>();
                for (JsonNode e : n.path("entries")) {
                    String name = e.get("name").asText();
                    entries.add(e.has("tree")
                            ? TreeEntry.folder(name, ObjectId.parse(e.get("tree").asText()))
                            : TreeEntry.image(name, ImageEntry.fromJson(e)));
                }
                node = new TreeNode.Flat(entries);
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof DsvException d) {
                throw d;
            }
            throw new DsvException(ExitCode.INTEGRITY, e, "error.object.undecodable", id.hex(), String.valueOf(e.getMessage()));
        }
        if (node instanceof TreeNode.Flat flat) {
            for (int i = 1; i < flat.entries().size(); i++) {
                if (CanonicalJson.CODE_POINT_ORDER.compare(flat.entries().get(i - 1).name(), flat.entries().get(i).name()) >= 0) {
                    throw new DsvException(ExitCode.INTEGRITY, "error.object.notCanonical", id.hex());
                }
            }
        } else if (node instanceof TreeNode.Buckets b
                && (b.level() < 0 || b.level() >= Trees.MAX_LEVEL || b.children().isEmpty()
                || b.children().firstKey() < 0 || b.children().lastKey() >= Trees.FANOUT)) {
            throw new DsvException(ExitCode.INTEGRITY, "error.object.notCanonical", id.hex());
        }
        if (!Arrays.equals(encode(node), bytes)) {
            throw new DsvException(ExitCode.INTEGRITY, "error.object.notCanonical", id.hex());
        }
        return node;
    }
}

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

    private static final com.fasterxml.jackson.core.JsonFactory FACTORY = com.fasterxml.jackson.core.JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.json.JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
            .build();

    /**
     * Encodes a node canonically. Writes the fields in their sorted order directly, which gives
     * the same bytes as {@link #encodeGeneric} (a test compares the two) at a fraction of the
     * cost: trees are the most often encoded objects.
     */
    public static byte[] encode(TreeNode node) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(256 + node.count() * 200);
        try (com.fasterxml.jackson.core.JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            if (node instanceof TreeNode.Flat flat) {
                if (!flat.entries().isEmpty()) {
                    g.writeFieldName("entries");
                    g.writeStartArray();
                    for (TreeEntry e : flat.entries()) {
                        writeEntry(g, e);
                    }
                    g.writeEndArray();
                }
            } else {
                TreeNode.Buckets b = (TreeNode.Buckets) node;
                g.writeFieldName("buckets");
                g.writeStartArray();
                for (Map.Entry<Integer, ObjectId> c : b.children().entrySet()) {
                    g.writeStartObject();
                    g.writeStringField("key", Integer.toHexString(c.getKey()));
                    g.writeStringField("node", c.getValue().hex());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeNumberField("count", b.count());
                g.writeNumberField("level", b.level());
            }
            g.writeStringField("type", ObjectType.TREE.jsonName());
            g.writeNumberField("v", 1);
            g.writeEndObject();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Writes one entry with its keys in code-point order; absent optional fields are left out. */
    private static void writeEntry(com.fasterxml.jackson.core.JsonGenerator g, TreeEntry e) throws IOException {
        g.writeStartObject();
        if (e.isFolder()) {
            g.writeStringField("name", CanonicalJson.nfc(e.name()));
            g.writeStringField("tree", e.tree().hex());
            g.writeEndObject();
            return;
        }
        ImageEntry img = e.image();
        if (!img.attributes().isEmpty()) {
            g.writeFieldName("attributes");
            g.writeStartObject();
            for (Map.Entry<String, String> a : img.attributes().entrySet()) {
                g.writeStringField(a.getKey(), a.getValue());
            }
            g.writeEndObject();
        }
        g.writeStringField("blob", img.blob().hex());
        g.writeStringField("cell_type", CanonicalJson.nfc(img.cellType()));
        if (!img.features().isEmpty()) {
            g.writeFieldName("features");
            g.writeStartObject();
            for (Map.Entry<String, ObjectId> f : img.features().entrySet()) {
                g.writeStringField(f.getKey(), f.getValue().hex());
            }
            g.writeEndObject();
        }
        if (img.generator() != null) {
            g.writeStringField("generator", CanonicalJson.nfc(img.generator()));
        }
        g.writeStringField("label", img.label().hex());
        g.writeStringField("name", CanonicalJson.nfc(e.name()));
        g.writeStringField("source", CanonicalJson.nfc(img.source()));
        if (img.split() != null) {
            g.writeStringField("split", CanonicalJson.nfc(img.split()));
        }
        g.writeEndObject();
    }

    /**
     * Parses a tree object with a streaming parser (trees are read far more often than any other
     * object, and a tree model costs several times more). Unknown fields are an error; the
     * caller's re-encoding check then proves the bytes canonical.
     */
    private static TreeNode parse(com.fasterxml.jackson.core.JsonParser p) throws IOException {
        expect(p.nextToken(), com.fasterxml.jackson.core.JsonToken.START_OBJECT);
        String type = null;
        int version = -1;
        int level = -1;
        int count = -1;
        List<TreeEntry> entries = new ArrayList<>();
        SortedMap<Integer, ObjectId> children = null;
        while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "type" -> type = p.getText();
                case "v" -> version = p.getIntValue();
                case "level" -> level = p.getIntValue();
                case "count" -> count = p.getIntValue();
                case "entries" -> {
                    expect(p.currentToken(), com.fasterxml.jackson.core.JsonToken.START_ARRAY);
                    while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                        entries.add(parseEntry(p));
                    }
                }
                case "buckets" -> {
                    expect(p.currentToken(), com.fasterxml.jackson.core.JsonToken.START_ARRAY);
                    children = new TreeMap<>();
                    while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                        String key = null;
                        String child = null;
                        while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                            String f = p.currentName();
                            p.nextToken();
                            if (f.equals("key")) {
                                key = p.getText();
                            } else if (f.equals("node")) {
                                child = p.getText();
                            } else {
                                throw new IllegalArgumentException("unknown bucket field " + f);
                            }
                        }
                        children.put(Integer.parseInt(key, 16), ObjectId.parse(child));
                    }
                }
                default -> throw new IllegalArgumentException("unknown tree field " + field);
            }
        }
        if (!"tree".equals(type) || version != 1) {
            throw new IllegalArgumentException("not a version 1 tree");
        }
        if (children != null) {
            return new TreeNode.Buckets(level, count, children);
        }
        return new TreeNode.Flat(entries);
    }

    private static TreeEntry parseEntry(com.fasterxml.jackson.core.JsonParser p) throws IOException {
        String name = null;
        String tree = null;
        String blob = null;
        String label = null;
        String cellType = null;
        String source = null;
        String generator = null;
        String split = null;
        SortedMap<String, String> attributes = CanonicalJson.newObject();
        SortedMap<String, ObjectId> features = CanonicalJson.newObject();
        while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "name" -> name = p.getText();
                case "tree" -> tree = p.getText();
                case "blob" -> blob = p.getText();
                case "label" -> label = p.getText();
                case "cell_type" -> cellType = p.getText();
                case "source" -> source = p.getText();
                case "generator" -> generator = p.getText();
                case "split" -> split = p.getText();
                case "attributes" -> {
                    while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                        String key = p.currentName();
                        p.nextToken();
                        attributes.put(key, p.getText());
                    }
                }
                case "features" -> {
                    expect(p.currentToken(), com.fasterxml.jackson.core.JsonToken.START_OBJECT);
                    while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                        String key = p.currentName();
                        p.nextToken();
                        features.put(key, ObjectId.parse(p.getText()));
                    }
                }
                default -> throw new IllegalArgumentException("unknown entry field " + field);
            }
        }
        if (name == null) {
            throw new IllegalArgumentException("entry without a name");
        }
        if (tree != null) {
            return TreeEntry.folder(name, ObjectId.parse(tree));
        }
        if (cellType == null || source == null) {
            throw new IllegalArgumentException("image entry " + name + " without cell_type or source");
        }
        return TreeEntry.image(name, new ImageEntry(ObjectId.parse(blob), ObjectId.parse(label), cellType, source,
                generator, split, attributes, features));
    }

    private static void expect(com.fasterxml.jackson.core.JsonToken actual, com.fasterxml.jackson.core.JsonToken expected) {
        if (actual != expected) {
            throw new IllegalArgumentException("expected " + expected + ", found " + actual);
        }
    }

    /** Encodes a node through the generic canonical encoder; the reference for {@link #encode}. */
    static byte[] encodeGeneric(TreeNode node) {
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
        return decode(id, bytes, true);
    }

    /**
     * Decodes a tree object whose bytes already hash to {@code id}. With {@code strict}, also
     * re-encodes it to prove the bytes canonical (fsck does, and so does every read of an object
     * from outside); without, only the sort order and shape are checked, which is what ordinary
     * reads of dsv's own objects need.
     */
    public static TreeNode decode(ObjectId id, byte[] bytes, boolean strict) {
        TreeNode node;
        try (com.fasterxml.jackson.core.JsonParser p = FACTORY.createParser(bytes)) {
            node = parse(p);
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
        if (strict && !Arrays.equals(encode(node), bytes)) {
            throw new DsvException(ExitCode.INTEGRITY, "error.object.notCanonical", id.hex());
        }
        return node;
    }
}

package dev.dsv.tree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.dsv.model.CanonicalJson;
import dev.dsv.model.ImageEntry;
import dev.dsv.model.ObjectId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.commons.codec.digest.DigestUtils;
import org.junit.jupiter.api.Test;

/** The fast tree encoder writes exactly the bytes of the generic canonical encoder. */
class TreeCodecTest {
    private static ObjectId id(String s) {
        return ObjectId.fromBytes(DigestUtils.sha256(s.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void fastEncoderMatchesGeneric() {
        SplittableRandom random = new SplittableRandom(42);
        String[] names = {"cell.png", "电池片.png", "caf\u00e9.png", "a b.png", "\uD842\uDFB7.png", "z\"q.png", "x\\\\y.png"};
        for (int round = 0; round < 200; round++) {
            List<TreeEntry> entries = new ArrayList<>();
            int count = 1 + random.nextInt(20);
            for (int i = 0; i < count; i++) {
                String name = names[random.nextInt(names.length)] + "-" + round + "-" + i;
                if (random.nextInt(5) == 0) {
                    entries.add(TreeEntry.folder(name, id("tree" + i)));
                    continue;
                }
                SortedMap<String, String> attributes = CanonicalJson.newObject();
                if (random.nextBoolean()) {
                    attributes.put("module", "M-" + random.nextInt(100));
                    attributes.put("线", "3");
                }
                SortedMap<String, ObjectId> features = CanonicalJson.newObject();
                if (random.nextInt(3) == 0) {
                    features.put("clip", id("clip" + i));
                    features.put("dino.v2", id("dino" + i));
                }
                boolean synthetic = random.nextInt(4) == 0;
                entries.add(TreeEntry.image(name, new ImageEntry(id("blob" + i), id("label" + i),
                        random.nextBoolean() ? "TOPCon" : "mono", synthetic ? "synthetic" : "production",
                        synthetic ? "gan-v" + i : null, random.nextBoolean() ? null : "train", attributes, features)));
            }
            entries.sort((a, b) -> CanonicalJson.CODE_POINT_ORDER.compare(a.name(), b.name()));
            TreeNode flat = new TreeNode.Flat(entries);
            assertArrayEquals(TreeCodec.encodeGeneric(flat), TreeCodec.encode(flat), "round " + round);
        }
        List<TreeEntry> withVectors = new ArrayList<>();
        SortedMap<String, ObjectId> features = CanonicalJson.newObject();
        features.put("clip", id("clip"));
        withVectors.add(TreeEntry.image("a.png", new ImageEntry(id("blob"), id("label"), "mono", "production", null,
                null, CanonicalJson.newObject(), features)));
        TreeNode node = new TreeNode.Flat(withVectors);
        assertEquals(node, TreeCodec.decode(ObjectId.fromBytes(DigestUtils.sha256(TreeCodec.encode(node))),
                TreeCodec.encode(node)));

        TreeMap<Integer, ObjectId> children = new TreeMap<>();
        children.put(0, id("a"));
        children.put(11, id("b"));
        TreeNode buckets = new TreeNode.Buckets(2, 9999, children);
        assertArrayEquals(TreeCodec.encodeGeneric(buckets), TreeCodec.encode(buckets));
        TreeNode empty = new TreeNode.Flat(List.of());
        assertArrayEquals(TreeCodec.encodeGeneric(empty), TreeCodec.encode(empty));
        assertEquals(Trees.EMPTY_TREE, ObjectId.fromBytes(DigestUtils.sha256(TreeCodec.encodeGeneric(empty))));
    }
}

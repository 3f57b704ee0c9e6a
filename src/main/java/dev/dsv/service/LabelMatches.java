package dev.dsv.service;

import dev.dsv.index.Index;
import dev.dsv.model.CanonicalJson;
import dev.dsv.model.ImageEntry;
import dev.dsv.model.ObjectId;
import dev.dsv.model.Times;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.codec.binary.Hex;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * The label records that earlier adds found to state the judgement of a resolved labels row, one
 * per dataset path (the index table {@code label_match}). An add compares each row with the label
 * record of the staged image, which means reading, decoding and checking that record. The staged
 * image may still name the record that an earlier add found for the same resolved row (the same
 * SHA-256 of its canonical encoding, blob included). Then the outcome is known without the read,
 * because records are content-addressed: a record that matched a row once matches it for good. So
 * an add of a large folder in which a few files changed reads the records of those files only.
 */
final class LabelMatches {
    private final ObjectId[] draftHashes;
    private final Map<String, Index.LabelMatch> known;
    private final Map<String, Index.LabelMatch> found = new HashMap<>();

    private LabelMatches(ObjectId[] draftHashes, Map<String, Index.LabelMatch> known) {
        this.draftHashes = draftHashes;
        this.known = known;
    }

    /**
     * Encodes every resolved image of an add canonically: path, blob, facts and judgement. The
     * add memo hashes them all, and each one's own hash keys its row here.
     */
    static byte[][] encode(List<ImageDraft> drafts, ObjectId[] blobs) {
        byte[][] out = new byte[drafts.size()][];
        for (int i = 0; i < drafts.size(); i++) {
            ImageDraft d = drafts.get(i);
            Map<String, Object> m = CanonicalJson.newObject();
            m.put("path", d.datasetPath());
            m.put("blob", blobs[i]);
            m.put("cell_type", d.cellType());
            m.put("defects", d.defects().stream().map(dev.dsv.model.Defect::toCanonical).toList());
            m.put("split", d.split());
            m.put("confidence", d.confidence());
            m.put("labeler", d.labeler());
            m.put("labeled_at", d.labeledAt() == null ? null : Times.format(d.labeledAt()));
            m.put("source", d.source());
            m.put("generator", d.generator());
            m.put("attributes", d.attributes());
            m.put("guideline", d.guideline());
            out[i] = CanonicalJson.encode(m);
        }
        return out;
    }

    /** Hashes the whole resolved input of an add and the replace flag: the key of the add memo. */
    static String inputHash(byte[][] encoded, boolean replace) {
        MessageDigest md = DigestUtils.getSha256Digest();
        md.update((byte) (replace ? 1 : 0));
        for (byte[] e : encoded) {
            md.update(e);
        }
        return Hex.encodeHexString(md.digest());
    }

    /**
     * Loads the rows under the longest folder that contains every dataset path of the add. An add
     * whose paths share no folder loads none, so it reads every staged record.
     */
    static LabelMatches load(Index index, List<ImageDraft> drafts, byte[][] encoded) {
        ObjectId[] hashes = new ObjectId[encoded.length];
        for (int i = 0; i < encoded.length; i++) {
            hashes[i] = ObjectId.fromBytes(DigestUtils.sha256(encoded[i]));
        }
        String folder = commonFolder(drafts);
        return new LabelMatches(hashes, folder.isEmpty() ? Map.of() : index.labelMatches(folder));
    }

    /** Returns the longest "a/b/" that starts every dataset path, or "" when there is none. */
    static String commonFolder(List<ImageDraft> drafts) {
        if (drafts.isEmpty()) {
            return "";
        }
        String first = drafts.get(0).datasetPath();
        int length = first.lastIndexOf('/') + 1;
        for (ImageDraft d : drafts) {
            String path = d.datasetPath();
            int same = 0;
            int max = Math.min(length, path.length());
            while (same < max && path.charAt(same) == first.charAt(same)) {
                same++;
            }
            length = first.lastIndexOf('/', same - 1) + 1;
            if (length == 0) {
                return "";
            }
        }
        return first.substring(0, length);
    }

    /**
     * Returns true when the staged entry at draft {@code i}'s path names the label record that an
     * earlier add found to state draft {@code i}'s judgement. The caller still compares blobs.
     */
    boolean knownMatch(int i, String path, ImageEntry staged) {
        Index.LabelMatch m = known.get(path);
        return m != null && m.label().equals(staged.label()) && m.draft().equals(draftHashes[i]);
    }

    /** Notes that the label record {@code label} states draft {@code i}'s judgement. */
    void found(int i, String path, ObjectId label) {
        Index.LabelMatch m = new Index.LabelMatch(label, draftHashes[i]);
        if (!m.equals(known.get(path))) {
            found.put(path, m);
        }
    }

    /** Writes the rows this add found that the index did not have yet. */
    void save(Index index) {
        if (!found.isEmpty()) {
            index.putLabelMatches(found);
        }
    }
}

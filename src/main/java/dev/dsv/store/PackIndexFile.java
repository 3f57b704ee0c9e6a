package dev.dsv.store;

import dev.dsv.model.ObjectId;
import dev.dsv.model.ObjectType;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * A pack index read on its own, without its pack: remotes keep copies of the indexes of the packs
 * they hold, to learn what a remote has and where, without downloading packs. Memory-mapped and
 * binary-searched like a local pack's index.
 */
public final class PackIndexFile {
    /** One object of the pack: where its record starts, its sizes, its type and its encoding. */
    public record Entry(ObjectId id, long offset, long storedLength, long rawLength, ObjectType type, int encoding) {
        /** Returns the length of the whole record: header and stored bytes. */
        public long recordLength() {
            return PackFormat.RECORD_HEADER + storedLength;
        }

        /** Returns true when the stored bytes are deflated. */
        public boolean deflated() {
            return encoding == PackFormat.ENCODING_DEFLATE;
        }
    }

    /** The length of a record header in a pack. */
    public static final int RECORD_HEADER = PackFormat.RECORD_HEADER;

    /**
     * Returns the largest index a pack of {@code packBytes} bytes can have: one entry per record, and
     * every record takes at least a header.
     */
    public static long maxBytesFor(long packBytes) {
        return PackFormat.IDX_HEADER + (Math.max(packBytes, 0) / PackFormat.RECORD_HEADER + 1) * PackFormat.IDX_ENTRY
                + PackFormat.IDX_TRAILER;
    }

    private final Path file;
    private final MappedByteBuffer index;
    private final int count;

    private PackIndexFile(Path file, MappedByteBuffer index, int count) {
        this.file = file;
        this.index = index;
        this.count = count;
    }

    /** Maps and checks an index file (magic, length, checksum); throws {@link IOException} when damaged. */
    public static PackIndexFile open(Path file) throws IOException {
        MappedByteBuffer idx;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            idx = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
        }
        if (idx.capacity() < PackFormat.IDX_HEADER + PackFormat.IDX_TRAILER) {
            throw new IOException("pack index too short: " + file);
        }
        byte[] magic = new byte[8];
        idx.get(0, magic);
        if (!Arrays.equals(magic, PackFormat.IDX_MAGIC)) {
            throw new IOException("not a dsv pack index: " + file);
        }
        int count = idx.getInt(8);
        long expected = PackFormat.IDX_HEADER + (long) count * PackFormat.IDX_ENTRY + PackFormat.IDX_TRAILER;
        if (count < 0 || expected != idx.capacity()) {
            throw new IOException("pack index length does not match its count: " + file);
        }
        int bodyLength = idx.capacity() - PackFormat.IDX_TRAILER;
        MessageDigest md = DigestUtils.getSha256Digest();
        md.update(idx.duplicate().position(0).limit(bodyLength));
        byte[] stored = new byte[32];
        idx.get(bodyLength, stored);
        if (!Arrays.equals(md.digest(), stored)) {
            throw new IOException("pack index checksum mismatch: " + file);
        }
        return new PackIndexFile(file, idx, count);
    }

    public Path file() {
        return file;
    }

    public int count() {
        return count;
    }

    /** Returns the entry of an object, or null when this pack does not hold it. */
    public Entry find(ObjectId id) {
        int first = id.byteAt(0);
        int lo = first == 0 ? 0 : index.getInt(12 + (first - 1) * 4);
        int hi = index.getInt(12 + first * 4) - 1;
        byte[] key = id.toBytes();
        byte[] probe = new byte[ObjectId.LENGTH];
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int at = PackFormat.IDX_HEADER + mid * PackFormat.IDX_ENTRY;
            index.get(at, probe);
            int c = Arrays.compareUnsigned(probe, key);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return entryAt(id, at);
            }
        }
        return null;
    }

    private Entry entryAt(ObjectId id, int at) {
        return new Entry(id, index.getLong(at + 32), index.getLong(at + 40), index.getLong(at + 48),
                ObjectType.fromCode(index.get(at + 56) & 0xff), index.get(at + 57) & 0xff);
    }

    /** Calls {@code action} with every entry, in id order. */
    public void forEach(java.util.function.Consumer<Entry> action) {
        byte[] id = new byte[ObjectId.LENGTH];
        for (int i = 0; i < count; i++) {
            int at = PackFormat.IDX_HEADER + i * PackFormat.IDX_ENTRY;
            index.get(at, id);
            action.accept(entryAt(ObjectId.fromBytes(id), at));
        }
    }
}

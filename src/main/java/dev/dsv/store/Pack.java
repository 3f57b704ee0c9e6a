package dev.dsv.store;

import dev.dsv.model.ObjectId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.function.Consumer;
import org.apache.commons.codec.digest.DigestUtils;

/** One published pack: its memory-mapped data and its memory-mapped, sorted index. */
final class Pack {
    /** The location of one object inside a pack. */
    record Entry(long offset, long storedLength, long rawLength, int type, int encoding) {
    }

    private final Path packFile;
    private final Path idxFile;
    private final MappedByteBuffer data;
    private final MappedByteBuffer index;
    private final int count;
    /** Whether {@link #indexDamage()} has compared the trailing checksum of the index yet. */
    private volatile boolean checksumChecked;
    private volatile boolean checksumMatched;

    private Pack(Path packFile, Path idxFile, MappedByteBuffer data, MappedByteBuffer index, int count) {
        this.packFile = packFile;
        this.idxFile = idxFile;
        this.data = data;
        this.index = index;
        this.count = count;
    }

    /**
     * Maps a pack and its index. Throws {@link IOException} when the index has the wrong magic, a
     * length that does not match its entry count or a fan-out table out of order. The checksum,
     * which costs a read and a hash of the whole index, is compared later by {@link #indexDamage()}.
     */
    static Pack open(Path packFile, Path idxFile) throws IOException {
        MappedByteBuffer idx;
        try (FileChannel ch = FileChannel.open(idxFile, StandardOpenOption.READ)) {
            idx = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
        }
        if (idx.capacity() < PackFormat.IDX_HEADER + PackFormat.IDX_TRAILER) {
            throw new IOException("pack index too short: " + idxFile);
        }
        byte[] magic = new byte[8];
        idx.get(0, magic);
        if (!Arrays.equals(magic, PackFormat.IDX_MAGIC)) {
            throw new IOException("not a dsv pack index: " + idxFile);
        }
        int count = idx.getInt(8);
        long expected = PackFormat.IDX_HEADER + (long) count * PackFormat.IDX_ENTRY + PackFormat.IDX_TRAILER;
        if (count < 0 || expected != idx.capacity()) {
            throw new IOException("pack index length does not match its count: " + idxFile);
        }
        // The fan-out table bounds every binary search, so it is checked here (1 KiB), not left
        // to the checksum: a search between wrong bounds could read past the entries.
        int previous = 0;
        for (int b = 0; b < 256; b++) {
            int cumulative = idx.getInt(12 + b * 4);
            if (cumulative < previous || cumulative > count) {
                throw new IOException("pack index fan-out table is not cumulative: " + idxFile);
            }
            previous = cumulative;
        }
        if (previous != count) {
            throw new IOException("pack index fan-out table does not end at its count: " + idxFile);
        }
        MappedByteBuffer pack;
        try (FileChannel ch = FileChannel.open(packFile, StandardOpenOption.READ)) {
            pack = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
        }
        return new Pack(packFile, idxFile, pack, idx, count);
    }

    /**
     * Compares the trailing SHA-256 of the index with its content, once per open pack. Returns
     * null when they match, else the reason. The store calls this before it uses a lookup that
     * found an object here, so a damaged index never locates an object.
     */
    String indexDamage() {
        if (!checksumChecked) {
            synchronized (this) {
                if (!checksumChecked) {
                    checksumMatched = checksumMatches(index);
                    checksumChecked = true;
                }
            }
        }
        return checksumMatched ? null : "pack index checksum mismatch: " + idxFile;
    }

    private static boolean checksumMatches(ByteBuffer idx) {
        int bodyLength = idx.capacity() - PackFormat.IDX_TRAILER;
        MessageDigest md = DigestUtils.getSha256Digest();
        md.update(idx.duplicate().position(0).limit(bodyLength));
        byte[] stored = new byte[32];
        idx.get(bodyLength, stored);
        return Arrays.equals(md.digest(), stored);
    }

    Path file() {
        return packFile;
    }

    Path indexFile() {
        return idxFile;
    }

    int count() {
        return count;
    }

    /** Binary-searches the index for {@code id}; returns null when this pack lacks it. */
    Entry find(ObjectId id) {
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
                return entryAt(at);
            }
        }
        return null;
    }

    private Entry entryAt(int at) {
        return new Entry(index.getLong(at + 32), index.getLong(at + 40), index.getLong(at + 48),
                index.get(at + 56) & 0xff, index.get(at + 57) & 0xff);
    }

    /** Calls {@code action} with every id in this pack's index. */
    void forEachId(Consumer<ObjectId> action) {
        byte[] id = new byte[ObjectId.LENGTH];
        for (int i = 0; i < count; i++) {
            index.get(PackFormat.IDX_HEADER + i * PackFormat.IDX_ENTRY, id);
            action.accept(ObjectId.fromBytes(id));
        }
    }

    /**
     * Returns a read-only view of the stored bytes of an entry, after checking that the record
     * header at its offset names the same object; null when the pack is too short for it.
     */
    ByteBuffer slice(ObjectId id, Entry e) {
        long end = e.offset() + PackFormat.RECORD_HEADER + e.storedLength();
        if (e.offset() < PackFormat.PACK_MAGIC.length || end > data.capacity()) {
            return null;
        }
        byte[] headerId = new byte[ObjectId.LENGTH];
        data.get((int) e.offset(), headerId);
        if (!Arrays.equals(headerId, id.toBytes())) {
            return null;
        }
        int start = (int) e.offset() + PackFormat.RECORD_HEADER;
        return data.slice(start, (int) e.storedLength()).asReadOnlyBuffer();
    }
}

package dev.dsv.store;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.model.ObjectId;
import dev.dsv.model.ObjectType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.zip.Deflater;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * Writes objects into temporary pack files and publishes them on {@link #flush()}. Blobs are
 * streamed: the record header is reserved, the content is copied while hashed, and the header is
 * filled in once the id is known; a blob the store has already is cut off again.
 */
final class PackInserter implements ObjectStore.Inserter {
    private static final int CHUNK = 1 << 16;

    record Written(ObjectId id, long offset, long storedLength, long rawLength, int type, int encoding) {
    }

    /** A temporary pack file and the records written into it. */
    private static final class OpenPack {
        final Path file;
        final FileChannel channel;
        final List<Written> records = new ArrayList<>();
        long position;

        OpenPack(Path file, FileChannel channel, long position) {
            this.file = file;
            this.channel = channel;
            this.position = position;
        }
    }

    private final PackStore store;
    private final List<OpenPack> finished = new ArrayList<>();
    private final Set<ObjectId> written = new HashSet<>();
    private final byte[] chunk = new byte[CHUNK];
    private OpenPack current;
    private final List<Path> published = new ArrayList<>();

    PackInserter(PackStore store) {
        this.store = store;
    }

    @Override
    public ObjectId insert(ObjectType type, byte[] canonical) {
        ObjectId id = ObjectId.fromBytes(DigestUtils.sha256(canonical));
        if (written.contains(id) || store.containsMapped(id)) {
            return id;
        }
        byte[] stored = deflate(canonical);
        OpenPack pack = packFor(stored.length);
        try {
            long start = pack.position;
            writeFully(pack, ByteBuffer.wrap(header(id, type, PackFormat.ENCODING_DEFLATE, canonical.length, stored.length)), start);
            writeFully(pack, ByteBuffer.wrap(stored), start + PackFormat.RECORD_HEADER);
            pack.position = start + PackFormat.RECORD_HEADER + stored.length;
            pack.records.add(new Written(id, start, stored.length, canonical.length, type.code(), PackFormat.ENCODING_DEFLATE));
            written.add(id);
            return id;
        } catch (IOException e) {
            throw StoreIOException.of(pack.file, e);
        }
    }

    @Override
    public ObjectId insertBlob(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return insertBlob(in);
        } catch (StoreIOException e) {
            throw e;
        } catch (IOException e) {
            throw new DsvException(ExitCode.IO_ERROR, e, "error.io", file, e.getMessage());
        }
    }

    @Override
    public ObjectId insertBlob(InputStream in) {
        OpenPack pack = packFor(0);
        long start = pack.position;
        long at = start + PackFormat.RECORD_HEADER;
        MessageDigest md = DigestUtils.getSha256Digest();
        long length = 0;
        try {
            int n;
            while ((n = in.read(chunk)) > 0) {
                md.update(chunk, 0, n);
                writeFully(pack, ByteBuffer.wrap(chunk, 0, n), at);
                at += n;
                length += n;
                if (length > PackFormat.MAX_BLOB_BYTES) {
                    pack.channel.truncate(start);
                    throw new DsvException(ExitCode.INVALID_INPUT, "error.blob.tooLarge", length);
                }
            }
        } catch (IOException e) {
            throw StoreIOException.of(pack.file, e);
        }
        ObjectId id = ObjectId.fromBytes(md.digest());
        try {
            if (written.contains(id) || store.containsMapped(id)) {
                pack.channel.truncate(start);
                return id;
            }
            writeFully(pack, ByteBuffer.wrap(header(id, ObjectType.BLOB, PackFormat.ENCODING_RAW, length, length)), start);
            pack.position = at;
            pack.records.add(new Written(id, start, length, length, ObjectType.BLOB.code(), PackFormat.ENCODING_RAW));
            written.add(id);
            return id;
        } catch (IOException e) {
            throw StoreIOException.of(pack.file, e);
        }
    }

    /**
     * Copies a stored record unchanged (its encoding included) into the pack being written,
     * without deduplication against the store: repacking copies objects the store has already.
     */
    void copyRecord(ObjectId id, int type, int encoding, long rawLength, ByteBuffer stored) {
        if (!written.add(id)) {
            return;
        }
        int length = stored.remaining();
        OpenPack pack = packFor(length);
        try {
            long start = pack.position;
            ByteBuffer header = ByteBuffer.allocate(PackFormat.RECORD_HEADER);
            header.put(id.toBytes()).put((byte) type).put((byte) encoding).putLong(rawLength).putLong(length).flip();
            writeFully(pack, header, start);
            writeFully(pack, stored.duplicate(), start + PackFormat.RECORD_HEADER);
            pack.position = start + PackFormat.RECORD_HEADER + length;
            pack.records.add(new Written(id, start, length, rawLength, type, encoding));
        } catch (IOException e) {
            throw StoreIOException.of(pack.file, e);
        }
    }

    private OpenPack packFor(long nextRecordBytes) {
        try {
            if (current != null && current.position + nextRecordBytes > PackFormat.ROLLOVER_BYTES) {
                finished.add(current);
                current = null;
            }
            if (current == null) {
                Path file = store.packDir().resolve("tmp-" + UUID.randomUUID() + ".pack");
                FileChannel ch = FileIo.current().open(file, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.READ, StandardOpenOption.WRITE);
                current = new OpenPack(file, ch, 0);
                writeFully(current, ByteBuffer.wrap(PackFormat.PACK_MAGIC), 0);
                current.position = PackFormat.PACK_MAGIC.length;
            }
            return current;
        } catch (IOException e) {
            throw StoreIOException.of(store.packDir(), e);
        }
    }

    private static void writeFully(OpenPack pack, ByteBuffer buf, long position) throws IOException {
        FileIo.writeFully(pack.channel, buf, position);
    }

    private static byte[] header(ObjectId id, ObjectType type, int encoding, long rawLength, long storedLength) {
        ByteBuffer b = ByteBuffer.allocate(PackFormat.RECORD_HEADER);
        b.put(id.toBytes()).put((byte) type.code()).put((byte) encoding).putLong(rawLength).putLong(storedLength);
        return b.array();
    }

    private static byte[] deflate(byte[] raw) {
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION);
        try {
            deflater.setInput(raw);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length / 2 + 64);
            byte[] buf = new byte[8192];
            while (!deflater.finished()) {
                int n = deflater.deflate(buf);
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    @Override
    public void flush() {
        if (current != null) {
            finished.add(current);
            current = null;
        }
        try {
            for (OpenPack pack : finished) {
                publish(pack);
            }
        } finally {
            finished.clear();
        }
        written.clear();
    }

    /** Steps: fsync the pack, write and fsync the index, rename both, fsync the folder. */
    private void publish(OpenPack pack) {
        Path dir = store.packDir();
        try {
            if (pack.records.isEmpty()) {
                pack.channel.close();
                Files.deleteIfExists(pack.file);
                return;
            }
            FileIo io = FileIo.current();
            pack.channel.truncate(pack.position);
            io.force(pack.channel);
            pack.channel.close();

            byte[] idx = buildIndex(pack.records);
            String name = "pack-" + DigestUtils.sha256Hex(idx);
            Path idxTmp = dir.resolve("tmp-" + UUID.randomUUID() + ".idx");
            try (FileChannel ch = io.open(idxTmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                FileIo.writeFully(ch, ByteBuffer.wrap(idx));
                io.force(ch);
            }
            Path packFinal = dir.resolve(name + ".pack");
            Path idxFinal = dir.resolve(name + ".idx");
            // The pack is renamed first: an index is what makes a pack visible, so it must never
            // name a pack file that is not in place yet.
            io.move(pack.file, packFinal);
            io.move(idxTmp, idxFinal);
            io.syncDirectory(dir);
            store.addPack(packFinal, idxFinal);
            published.add(packFinal);
        } catch (IOException e) {
            throw StoreIOException.of(pack.file, e);
        }
    }

    static byte[] buildIndex(List<Written> records) {
        List<Written> sorted = new ArrayList<>(records);
        sorted.sort(Comparator.comparing(Written::id));
        int count = sorted.size();
        ByteBuffer b = ByteBuffer.allocate(PackFormat.IDX_HEADER + count * PackFormat.IDX_ENTRY + PackFormat.IDX_TRAILER);
        b.put(PackFormat.IDX_MAGIC).putInt(count);
        int[] fanout = new int[256];
        for (Written w : sorted) {
            fanout[w.id().byteAt(0)]++;
        }
        int total = 0;
        for (int i = 0; i < 256; i++) {
            total += fanout[i];
            b.putInt(total);
        }
        for (Written w : sorted) {
            b.put(w.id().toBytes()).putLong(w.offset()).putLong(w.storedLength()).putLong(w.rawLength())
                    .put((byte) w.type()).put((byte) w.encoding()).put(new byte[6]);
        }
        MessageDigest md = DigestUtils.getSha256Digest();
        md.update(b.array(), 0, b.position());
        b.put(md.digest());
        return b.array();
    }

    /** Returns the pack files this inserter has published so far. */
    List<Path> published() {
        return List.copyOf(published);
    }

    @Override
    public void close() {
        if (current != null) {
            finished.add(current);
            current = null;
        }
        for (OpenPack pack : finished) {
            try {
                pack.channel.close();
                Files.deleteIfExists(pack.file);
            } catch (IOException ignored) {
                // A leftover tmp- file is invisible to readers and removed by the next writer.
            }
        }
        finished.clear();
        written.clear();
    }
}

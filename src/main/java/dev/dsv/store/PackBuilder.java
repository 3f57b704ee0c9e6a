package dev.dsv.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * Writes one standalone pack and its index into a folder, from records copied unchanged out of a
 * {@link PackStore}. Push uses it to build the packs it uploads. The same records added in the
 * same order give the same bytes and so the same pack name.
 */
public final class PackBuilder implements AutoCloseable {
    /** A finished pack: its name ({@code pack-<H>}), its two files and the pack's size in bytes. */
    public record Built(String name, Path pack, Path index, long packBytes, int objects) {
    }

    private final Path dir;
    private final Path tmp;
    private final FileChannel channel;
    private final List<PackInserter.Written> records = new ArrayList<>();
    private long position;

    /** Starts a pack in {@code dir} (created when missing). */
    public PackBuilder(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
            this.tmp = Files.createTempFile(dir, "tmp-", ".pack");
            this.channel = FileChannel.open(tmp, StandardOpenOption.WRITE);
            write(ByteBuffer.wrap(PackFormat.PACK_MAGIC));
        } catch (IOException e) {
            throw StoreIOException.of(dir, e);
        }
    }

    private void write(ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            position += channel.write(buf, position);
        }
    }

    /** Returns the bytes written so far. */
    public long size() {
        return position;
    }

    /** Returns the number of objects added so far. */
    public int count() {
        return records.size();
    }

    /** Copies one object's stored record (as {@link PackStore#storedRecord} returns it) into the pack. */
    public void add(PackStore.StoredRecord r) {
        try {
            long start = position;
            ByteBuffer header = ByteBuffer.allocate(PackFormat.RECORD_HEADER);
            header.put(r.id().toBytes()).put((byte) r.typeCode()).put((byte) r.encoding())
                    .putLong(r.rawLength()).putLong(r.stored().remaining()).flip();
            write(header);
            long length = r.stored().remaining();
            write(r.stored().duplicate());
            records.add(new PackInserter.Written(r.id(), start, length, r.rawLength(), r.typeCode(), r.encoding()));
        } catch (IOException e) {
            throw StoreIOException.of(tmp, e);
        }
    }

    /** Writes the index and renames both files to {@code pack-<H>.pack} and {@code pack-<H>.idx}. */
    public Built finish() {
        try {
            channel.force(true);
            channel.close();
            byte[] idx = PackInserter.buildIndex(records);
            String name = "pack-" + DigestUtils.sha256Hex(idx);
            Path pack = dir.resolve(name + ".pack");
            Path index = dir.resolve(name + ".idx");
            Files.move(tmp, pack, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.write(index, idx);
            return new Built(name, pack, index, position, records.size());
        } catch (IOException e) {
            throw StoreIOException.of(tmp, e);
        }
    }

    @Override
    public void close() {
        try {
            if (channel.isOpen()) {
                channel.close();
            }
            Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
            // A leftover temporary pack in the outgoing folder is removed by the next push.
        }
    }
}

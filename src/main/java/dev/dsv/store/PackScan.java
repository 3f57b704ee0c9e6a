package dev.dsv.store;

import dev.dsv.error.IntegrityException;
import dev.dsv.model.ObjectId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Set;

/**
 * Reads the record headers of a pack file without its index, as the pack format allows (each
 * header repeats the object id). Used for packs whose index never arrived.
 */
public final class PackScan {
    private PackScan() {
    }

    /** Returns how many records of the pack have an id in {@code ids}; a pack cut short is read up to its cut. */
    public static int count(Path pack, Set<ObjectId> ids) {
        int found = 0;
        try (FileChannel ch = FileChannel.open(pack, StandardOpenOption.READ)) {
            ByteBuffer magic = ByteBuffer.allocate(PackFormat.PACK_MAGIC.length);
            readFully(ch, magic, 0);
            if (!Arrays.equals(magic.array(), PackFormat.PACK_MAGIC)) {
                throw new IntegrityException("error.object.corrupt", pack.getFileName().toString(), pack);
            }
            long position = PackFormat.PACK_MAGIC.length;
            long size = ch.size();
            ByteBuffer header = ByteBuffer.allocate(PackFormat.RECORD_HEADER);
            while (position + PackFormat.RECORD_HEADER <= size) {
                header.clear();
                readFully(ch, header, position);
                header.flip();
                byte[] id = new byte[32];
                header.get(id);
                header.position(header.position() + 2 + 8);
                long stored = header.getLong();
                if (ids.contains(ObjectId.fromBytes(id))) {
                    found++;
                }
                position += PackFormat.RECORD_HEADER + stored;
            }
        } catch (IOException e) {
            throw StoreIOException.of(pack, e);
        }
        return found;
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long at = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, at);
            if (n < 0) {
                return;
            }
            at += n;
        }
    }
}

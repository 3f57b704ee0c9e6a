package dev.dsv.ingest;

import static dev.dsv.ingest.ImageCheck.truncated;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * Positional reader over a channel whose size is fixed at the start of the check. Reads that fall
 * inside {@code start}, the bytes a caller has already read from the beginning of the file, are
 * served from memory; the others read the channel.
 */
final class PositionalReader {

    /** Bytes read from the start of the file to detect the format. */
    private static final int HEAD_LENGTH = 16;

    private final FileChannel channel;
    private final ByteBuffer start;
    final long size;

    PositionalReader(FileChannel channel, long size, ByteBuffer start) {
        this.channel = channel;
        this.size = size;
        this.start = start;
    }

    byte[] readHead() throws IOException, InvalidImageException {
        int length = (int) Math.min(HEAD_LENGTH, size);
        byte[] head = new byte[length];
        read(0, length, ByteOrder.BIG_ENDIAN, "file start").get(head);
        return head;
    }

    /**
     * Reads exactly {@code length} bytes at {@code position}. The {@code structure} name, such
     * as "PNG chunk header", starts the detail of the TRUNCATED error.
     */
    ByteBuffer read(long position, int length, ByteOrder order, String structure)
            throws IOException, InvalidImageException {
        long end = position + length;
        if (end > size) {
            throw truncated(structure + " at byte " + position + " needs " + length
                    + " bytes, but the file ends at byte " + size);
        }
        ByteBuffer buffer = ByteBuffer.allocate(length).order(order);
        if (end <= start.limit()) {
            buffer.put(0, start, (int) position, length);
            return buffer;
        }
        while (buffer.hasRemaining()) {
            int count = channel.read(buffer, position + buffer.position());
            if (count < 0) {
                throw truncated(structure + " at byte " + position + " needs " + length
                        + " bytes, but the file shrank to " + (position + buffer.position())
                        + " bytes during the check");
            }
        }
        buffer.flip();
        return buffer;
    }
}

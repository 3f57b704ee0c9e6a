package dev.dsv.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Replaces small files atomically: write a temporary file beside the target, fsync it, rename it
 * over the target, fsync the folder. A reader sees the old file or the new one, never a part.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Writes {@code bytes} to {@code target} atomically and durably. */
    public static void write(Path target, byte[] bytes) throws IOException {
        FileIo io = FileIo.current();
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve(".tmp-" + target.getFileName() + "-" + UUID.randomUUID());
        try {
            try (FileChannel ch = io.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                FileIo.writeFully(ch, ByteBuffer.wrap(bytes));
                // Without this fsync a crash after the rename could leave an empty target.
                io.force(ch);
            }
            io.move(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
        syncDirectory(dir);
    }

    /** Flushes a folder's entries (new names, renames) to disk. */
    public static void syncDirectory(Path dir) throws IOException {
        FileIo.current().syncDirectory(dir);
    }

    /** Deletes a file and makes the deletion durable. */
    public static void delete(Path target) throws IOException {
        if (FileIo.current().delete(target)) {
            syncDirectory(target.toAbsolutePath().getParent());
        }
    }
}

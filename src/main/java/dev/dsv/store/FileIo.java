package dev.dsv.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The file operations that make objects, refs, the stage, the metadata log and directory remotes
 * durable: open for writing, write, fsync, rename, delete and folder fsync. Every such write goes
 * through {@link #current()}, so that a test can install an implementation that
 * fails the Nth call with a "No space left on device" or "Input/output error" and check that the
 * command fails cleanly. Reads do not go through here, and neither do the SQLite index (a cache
 * that sqlite-jdbc writes itself) nor exports.
 */
public interface FileIo {
    /** The real file system. */
    FileIo SYSTEM = new FileIo() {
    };

    /** Returns the implementation in use: {@link #SYSTEM} unless a test installed another. */
    static FileIo current() {
        return Holder.current;
    }

    /**
     * Makes {@code io} the implementation for the whole JVM and returns the one it replaces.
     * Only fault-injection tests call this.
     */
    static FileIo install(FileIo io) {
        FileIo previous = Holder.current;
        Holder.current = io;
        return previous;
    }

    /** Opens a file for writing. */
    default FileChannel open(Path file, OpenOption... options) throws IOException {
        return FileChannel.open(file, options);
    }

    /** Writes some of {@code source} at {@code position}; returns the number of bytes written. */
    default int write(FileChannel channel, ByteBuffer source, long position) throws IOException {
        return channel.write(source, position);
    }

    /** Writes some of {@code source} at the channel's position; returns the number of bytes written. */
    default int write(FileChannel channel, ByteBuffer source) throws IOException {
        return channel.write(source);
    }

    /** Flushes a file's content and metadata to the device. */
    default void force(FileChannel channel) throws IOException {
        channel.force(true);
    }

    /** Renames {@code source} over {@code target} atomically. */
    default void move(Path source, Path target) throws IOException {
        Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Deletes a file when it exists; returns true when it did. */
    default boolean delete(Path file) throws IOException {
        return Files.deleteIfExists(file);
    }

    /** Flushes a folder's entries (new names, renames, deletions) to the device. */
    default void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** Writes all of {@code source} at {@code position}, looping over short writes. */
    static void writeFully(FileChannel channel, ByteBuffer source, long position) throws IOException {
        long at = position;
        while (source.hasRemaining()) {
            at += current().write(channel, source, at);
        }
    }

    /** Writes all of {@code source} at the channel's position, looping over short writes. */
    static void writeFully(FileChannel channel, ByteBuffer source) throws IOException {
        while (source.hasRemaining()) {
            current().write(channel, source);
        }
    }

    /** The installed implementation; a nested class because an interface cannot hold a mutable field. */
    final class Holder {
        private static volatile FileIo current = SYSTEM;

        private Holder() {
        }
    }
}

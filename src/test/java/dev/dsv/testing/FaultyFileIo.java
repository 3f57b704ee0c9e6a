package dev.dsv.testing;

import dev.dsv.store.FileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link FileIo} that counts every write, fsync, rename, delete and open for writing, and fails
 * call number {@code failAt} (1-based; 0 never fails) the way a full or failing disk does. A
 * failing write first writes half of its buffer, as a short write before ENOSPC would.
 */
public final class FaultyFileIo implements FileIo {
    /** The error a failing call throws, with the reason text Linux gives. */
    public enum Fault {
        NO_SPACE("No space left on device"),
        IO_ERROR("Input/output error");

        public final String reason;

        Fault(String reason) {
            this.reason = reason;
        }
    }

    private final int failAt;
    private final Fault fault;
    private final AtomicInteger calls = new AtomicInteger();
    private volatile String failedCall;

    public FaultyFileIo(int failAt, Fault fault) {
        this.failAt = failAt;
        this.fault = fault;
    }

    /** Returns the number of calls counted so far, the failed one included. */
    public int calls() {
        return calls.get();
    }

    /** Returns a description of the call that failed, or null when none did. */
    public String failedCall() {
        return failedCall;
    }

    private boolean failsNow(String what, Object target) {
        if (calls.incrementAndGet() != failAt) {
            return false;
        }
        failedCall = what + " " + target;
        return true;
    }

    private IOException error(Object target) {
        return new FileSystemException(String.valueOf(target), null, fault.reason);
    }

    @Override
    public FileChannel open(Path file, OpenOption... options) throws IOException {
        if (failsNow("open", file)) {
            throw error(file);
        }
        return SYSTEM.open(file, options);
    }

    @Override
    public int write(FileChannel channel, ByteBuffer source, long position) throws IOException {
        if (failsNow("write", channel)) {
            writeHalf(channel, source, position);
            throw error("write");
        }
        return SYSTEM.write(channel, source, position);
    }

    @Override
    public int write(FileChannel channel, ByteBuffer source) throws IOException {
        if (failsNow("write", channel)) {
            writeHalf(channel, source, channel.position());
            throw error("write");
        }
        return SYSTEM.write(channel, source);
    }

    private static void writeHalf(FileChannel channel, ByteBuffer source, long position) throws IOException {
        ByteBuffer half = source.duplicate();
        half.limit(half.position() + half.remaining() / 2);
        channel.write(half, position);
    }

    @Override
    public void force(FileChannel channel) throws IOException {
        if (failsNow("fsync", channel)) {
            throw error("fsync");
        }
        SYSTEM.force(channel);
    }

    @Override
    public void move(Path source, Path target) throws IOException {
        if (failsNow("rename", target)) {
            throw error(target);
        }
        SYSTEM.move(source, target);
    }

    @Override
    public boolean delete(Path file) throws IOException {
        if (failsNow("delete", file)) {
            throw error(file);
        }
        return SYSTEM.delete(file);
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        if (failsNow("fsync folder", dir)) {
            throw error(dir);
        }
        SYSTEM.syncDirectory(dir);
    }
}

package dev.dsv.repo;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;

/**
 * The single-writer lock of a repository: an OS file lock on {@code .dsv/lock}. The kernel drops
 * the lock when the process dies, so a killed dsv never leaves a stale lock behind. The holder
 * writes its pid, host, command and start time into the file so that a waiting writer can name it.
 */
public final class RepositoryLock implements AutoCloseable {
    private static final long POLL_MILLIS = 50;

    private final FileChannel channel;
    private final FileLock lock;

    private RepositoryLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock, retrying until {@code timeout} has passed; then throws the "locked" error
     * naming the holder.
     */
    static RepositoryLock acquire(Path lockFile, Duration timeout, String command) {
        Instant deadline = Instant.now().plus(timeout);
        FileChannel channel;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new DsvException(ExitCode.IO_ERROR, e, "error.io", lockFile, e.getMessage());
        }
        try {
            while (true) {
                FileLock lock = tryLock(channel);
                if (lock != null) {
                    writeHolder(channel, command);
                    return new RepositoryLock(channel, lock);
                }
                if (!Instant.now().isBefore(deadline)) {
                    String holder = readHolder(channel);
                    closeQuietly(channel);
                    throw new DsvException(ExitCode.LOCKED, "error.locked", lockFile.getParent().getParent(),
                            holder, timeout.toSeconds());
                }
                Thread.sleep(POLL_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(channel);
            throw new DsvException(ExitCode.LOCKED, "error.locked", lockFile.getParent().getParent(), "?", 0);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new DsvException(ExitCode.IO_ERROR, e, "error.io", lockFile, e.getMessage());
        }
    }

    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            // Another thread of this JVM has the lock, which is the same situation as another process.
            return null;
        }
    }

    private static void writeHolder(FileChannel channel, String command) throws IOException {
        String host = HostName.get();
        String text = "pid " + ProcessHandle.current().pid() + " on " + host + ", running '" + command
                + "' since " + Instant.now() + "\n";
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), 0);
    }

    private static String readHolder(FileChannel channel) {
        try {
            ByteBuffer buf = ByteBuffer.allocate(512);
            int n = channel.read(buf, 0);
            return n <= 0 ? "unknown process" : new String(buf.array(), 0, n, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "unknown process";
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Closing a lock file channel that failed to lock has nothing to recover.
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // Closing the channel below releases the lock as well.
        }
        closeQuietly(channel);
    }
}

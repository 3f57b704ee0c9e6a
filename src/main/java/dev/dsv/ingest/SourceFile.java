package dev.dsv.ingest;

import java.nio.file.Path;

/**
 * A file found by a folder walk: where it is, its path relative to the added folder (slash
 * separated), and the stat facts the stat cache compares. {@link FolderScanner#walk} gives the
 * relative path as the file system spells it; {@link FolderScanner#inPathOrder} turns it into NFC.
 */
public record SourceFile(Path file, String relativePath, FileStats.Stat stat) {
    public long size() {
        return stat.size();
    }

    public long mtimeNanos() {
        return stat.mtimeNanos();
    }

    /** Returns the inode change time in nanoseconds, or {@link FileStats#UNKNOWN}. */
    public long ctimeNanos() {
        return stat.ctimeNanos();
    }

    /** Returns the later of mtime and ctime (see {@link FileStats.Stat#changedNanos}). */
    public long changedNanos() {
        return stat.changedNanos();
    }

    /** Returns the file key (device and inode on Unix) as text, as the stat cache stores it. */
    public String fileKey() {
        return String.valueOf(stat.fileKey());
    }
}

package dev.dsv.ingest;

import java.nio.file.Path;

/**
 * A file found by a folder walk: where it is, its path relative to the added folder (slash
 * separated, NFC), and the stat facts the stat cache compares.
 */
public record SourceFile(Path file, String relativePath, long size, long mtimeNanos, String fileKey) {
}

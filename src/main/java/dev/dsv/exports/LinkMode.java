package dev.dsv.exports;

/**
 * The way exported files are made. COPY writes independent files. HARDLINK links them to
 * read-only files in the repository's link cache, so editing an exported file in place changes
 * that cache file (never the packed original) until {@code dsv gc} drops the cache.
 */
public enum LinkMode {
    COPY,
    HARDLINK
}

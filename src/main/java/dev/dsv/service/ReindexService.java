package dev.dsv.service;

import dev.dsv.repo.RepositoryLock;

/** {@code dsv reindex}: rebuilds the SQLite index from the objects and refs, or anew when it is unreadable. */
public final class ReindexService {
    /** Counts of the rebuilt index. */
    public record Result(int commits, int metaRecords) {
    }

    private final Session session;

    public ReindexService(Session session) {
        this.session = session;
    }

    public Result reindex() {
        try (RepositoryLock lock = session.lock("reindex")) {
            return reindexLocked(false);
        }
    }

    /**
     * Rebuilds the index; the caller holds the writer lock. With {@code discard} the index file is
     * deleted first (a damaged file, as fsck found it), else only its rows are, which keeps the
     * stat cache.
     */
    public Result reindexLocked(boolean discard) {
        session.reopenIndex();
        if (discard) {
            deleteIndexFiles(session.repository().indexFile());
        } else {
            try {
                var index = dev.dsv.index.Index.open(session.repository().indexFile());
                index.clear();
                index.close();
            } catch (dev.dsv.error.DsvException e) {
                // An unreadable index file is deleted whole; only the stat cache is lost with it.
                deleteIndexFiles(session.repository().indexFile());
            }
        }
        return new Result(session.index().commitCount(), session.repository().metadataLog().ids().size());
    }

    private static void deleteIndexFiles(java.nio.file.Path file) {
        for (String suffix : java.util.List.of("", "-wal", "-shm")) {
            java.nio.file.Path p = file.resolveSibling(file.getFileName() + suffix);
            try {
                java.nio.file.Files.deleteIfExists(p);
            } catch (java.io.IOException e) {
                throw dev.dsv.store.StoreIOException.of(p, e);
            }
        }
    }
}

package dev.dsv.service;

import dev.dsv.repo.RepositoryLock;

/** {@code dsv reindex}: rebuilds the SQLite index from the objects and refs. */
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
            var index = dev.dsv.index.Index.open(session.repository().indexFile());
            index.clear();
            index.close();
            session.reopenIndex();
            return new Result(session.index().commitCount(), session.repository().metadataLog().ids().size());
        }
    }
}

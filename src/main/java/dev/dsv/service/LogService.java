package dev.dsv.service;

import dev.dsv.model.Commit;
import dev.dsv.model.ObjectId;
import java.util.ArrayList;
import java.util.List;

/** {@code dsv log}: the commits reachable from a revision, newest first. */
public final class LogService {
    /** One commit of the history. */
    public record Entry(ObjectId id, Commit commit) {
    }

    private final Session session;

    public LogService(Session session) {
        this.session = session;
    }

    public List<Entry> log(String revision, int limit) {
        ObjectId head = session.resolve(revision);
        List<Entry> out = new ArrayList<>();
        for (ObjectId id : session.history(head, limit)) {
            out.add(new Entry(id, session.readCommit(id)));
        }
        return out;
    }
}

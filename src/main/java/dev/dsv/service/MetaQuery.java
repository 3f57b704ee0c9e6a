package dev.dsv.service;

import dev.dsv.model.MetaRecord;
import dev.dsv.model.ObjectId;
import java.util.ArrayList;
import java.util.List;

/** Reads metadata log records of one kind, in append order. */
final class MetaQuery {
    /** A record with its id. */
    record Entry(ObjectId id, MetaRecord record) {
    }

    private MetaQuery() {
    }

    static List<Entry> ofKind(Session session, String kind) {
        List<Entry> out = new ArrayList<>();
        var log = session.repository().metadataLog();
        for (ObjectId id : log.ids()) {
            MetaRecord r = log.read(id);
            if (r.kind().equals(kind)) {
                out.add(new Entry(id, r));
            }
        }
        return out;
    }

    /** Returns the records of one kind, in append order, without their ids. */
    static List<MetaRecord> records(Session session, String kind) {
        return ofKind(session, kind).stream().map(Entry::record).toList();
    }
}

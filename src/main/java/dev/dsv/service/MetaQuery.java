package dev.dsv.service;

import dev.dsv.model.MetaRecord;
import dev.dsv.model.ObjectId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Reads metadata log records of one kind, in append order. */
final class MetaQuery {
    /** A record with its id. */
    record Entry(ObjectId id, MetaRecord record) {
    }

    private MetaQuery() {
    }

    static List<Entry> ofKind(Session session, String kind) {
        return ofKinds(session, Set.of(kind));
    }

    /** Returns the records of any of {@code kinds}, in append order, reading the log once. */
    static List<Entry> ofKinds(Session session, Set<String> kinds) {
        List<Entry> out = new ArrayList<>();
        var log = session.repository().metadataLog();
        for (ObjectId id : log.ids()) {
            MetaRecord r = log.readOfKind(id, kinds);
            if (r != null) {
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

package dev.dsv.service;

import dev.dsv.model.Commit;
import dev.dsv.model.ImageEntry;
import dev.dsv.model.LabelRecord;
import dev.dsv.model.ObjectId;
import java.util.ArrayList;
import java.util.List;

/** {@code dsv log}: the commits reachable from a revision, newest first. */
public final class LogService {
    /** One commit of the history, with the promotions and rollbacks recorded about it. */
    public record Entry(ObjectId id, Commit commit, List<dev.dsv.model.MetaRecord> events) {
    }

    /** The metadata records that log shows beside the commit they name. */
    private static final List<String> EVENT_KINDS = List.of(MetaKinds.PROMOTION, MetaKinds.ROLLBACK);

    private final Session session;

    public LogService(Session session) {
        this.session = session;
    }

    public List<Entry> log(String revision, int limit) {
        ObjectId head = session.resolve(revision);
        java.util.Map<ObjectId, List<dev.dsv.model.MetaRecord>> events = new java.util.HashMap<>();
        List<MetaQuery.Entry> records = MetaQuery.ofKinds(session, java.util.Set.copyOf(EVENT_KINDS));
        // Promotions first, then rollbacks, each in append order.
        for (String kind : EVENT_KINDS) {
            for (MetaQuery.Entry e : records) {
                if (e.record().kind().equals(kind)) {
                    events.computeIfAbsent(e.record().subject(), k -> new ArrayList<>()).add(e.record());
                }
            }
        }
        List<Entry> out = new ArrayList<>();
        for (ObjectId id : session.history(head, limit)) {
            out.add(new Entry(id, session.readCommit(id), events.getOrDefault(id, List.of())));
        }
        return out;
    }

    /** One state of an image in its history: the commit that introduced it, and its entry and label. */
    public record PathVersion(ObjectId commit, Commit commitObject, ImageEntry entry, LabelRecord label) {
    }

    /**
     * Returns the history of one dataset path from a revision, newest first: one version per
     * commit where the entry changed, with a null entry where the image was removed. Walks the
     * first-parent chain and looks the path up in each commit, so it costs one lookup per commit.
     */
    public List<PathVersion> pathHistory(String revision, String path) {
        String normalized = dev.dsv.model.DatasetPath.normalize(path.replaceAll("/+$", ""));
        ObjectId id = session.resolve(revision);
        List<PathVersion> out = new ArrayList<>();
        ImageEntry newer = null;
        ObjectId newerCommit = null;
        Commit newerObject = null;
        boolean seen = false;
        while (id != null) {
            Commit c = session.readCommit(id);
            ImageEntry e = session.trees().lookup(c.tree(), normalized);
            if (seen && !java.util.Objects.equals(e, newer)) {
                out.add(version(newerCommit, newerObject, newer));
            }
            seen = true;
            newer = e;
            newerCommit = id;
            newerObject = c;
            id = c.parents().isEmpty() ? null : c.parents().get(0);
        }
        if (newer != null) {
            out.add(version(newerCommit, newerObject, newer));
        }
        if (out.isEmpty()) {
            throw new dev.dsv.error.DsvException(dev.dsv.error.ExitCode.UNKNOWN_REVISION, "error.path.neverInHistory",
                    normalized, revision);
        }
        return out;
    }

    private PathVersion version(ObjectId commit, Commit c, ImageEntry e) {
        return new PathVersion(commit, c, e, e == null ? null : session.readLabel(e.label()));
    }
}

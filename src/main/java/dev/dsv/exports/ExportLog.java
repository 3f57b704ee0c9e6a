package dev.dsv.exports;

import dev.dsv.model.CanonicalJson;
import dev.dsv.model.MetaRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.model.Times;
import dev.dsv.repo.MetadataLog;
import dev.dsv.repo.RepositoryLock;
import dev.dsv.service.Identity;
import dev.dsv.service.MetaKinds;
import dev.dsv.service.Session;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The access log of exports: one {@code export} record per finished {@code dsv export}, saying
 * who exported which commit and filter, how many images, in which format, and when. The target
 * is recorded by its folder name only, because the absolute path names one machine's folders and
 * the log is pushed to every remote.
 */
public final class ExportLog {
    /** One logged export, as {@code dsv exports log} lists it. */
    public record Entry(ObjectId id, MetaRecord record) {
    }

    private final Session session;

    public ExportLog(Session session) {
        this.session = session;
    }

    /**
     * Appends the record of a finished export; {@code command} names the command that wrote it
     * ({@code export}, or {@code review sample} for its sampled images). Adds the target to
     * {@code folders} unless that is null. Takes the writer lock for the append only.
     */
    void record(String command, ObjectId commit, Map<String, Object> filter, ExportService.Result result,
                ManifestFormat manifest, ExportShape shape, boolean sync, List<String> features,
                ExportFolders folders) {
        Map<String, Object> body = CanonicalJson.newObject();
        Map<String, Object> shownFilter = CanonicalJson.newObject();
        filter.forEach((key, value) -> {
            if (value != null) {
                shownFilter.put(key, value);
            }
        });
        body.put("command", command);
        body.put("filter", shownFilter);
        body.put("images", (long) result.images());
        body.put("written", (long) result.written());
        body.put("bytes", result.bytes());
        body.put("manifest", manifest.fileName());
        body.put("format", shape.formatName());
        body.put("layout", shape.layoutName());
        body.put("link", result.link().name().toLowerCase(Locale.ROOT));
        body.put("sync", sync);
        body.put("include_rejected", result.includeRejected());
        if (!features.isEmpty()) {
            body.put("features", features);
        }
        Path name = result.target().getFileName();
        body.put("target", name == null ? "" : name.toString());
        try (RepositoryLock lock = session.lock(command)) {
            session.repository().metadataLog().append(new MetaRecord(MetaKinds.EXPORT, commit,
                    Identity.committer(session.repository().config()), Times.now(), body));
            if (folders != null) {
                folders.add(result.target());
            }
        }
    }

    /**
     * Returns the logged exports, newest first by record time, then by id. A clone appends records
     * in the order it fetched them, so the append order is not the time order.
     */
    public List<Entry> list() {
        MetadataLog log = session.repository().metadataLog();
        List<Entry> out = new ArrayList<>();
        for (ObjectId id : log.ids()) {
            MetaRecord r = log.read(id);
            if (r.kind().equals(MetaKinds.EXPORT)) {
                out.add(new Entry(id, r));
            }
        }
        out.sort(Comparator.comparing((Entry e) -> e.record().time().toInstant()).reversed()
                .thenComparing(e -> e.id().hex()));
        return out;
    }
}

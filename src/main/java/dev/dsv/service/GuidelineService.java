package dev.dsv.service;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.model.CanonicalJson;
import dev.dsv.model.MetaRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.model.ObjectType;
import dev.dsv.model.Times;
import dev.dsv.repo.RepositoryLock;
import dev.dsv.store.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code dsv guideline}: labeling guideline documents kept in the repository. A document is a
 * blob; a {@code guideline} meta record (subject: the blob) gives its version and title. A version
 * is added once, and label records name the version they followed.
 */
public final class GuidelineService {
    /** Version names: letters, digits, '.', '_', '-', at most 64 characters, starting with a letter or digit. */
    private static final Pattern VERSION = Pattern.compile("[\\p{L}\\p{N}][\\p{L}\\p{N}._-]{0,63}");

    /** One guideline version with its document and who added it when. */
    public record Guideline(ObjectId record, String version, String title, ObjectId document, long size,
                            String author, OffsetDateTime time) {
    }

    private final Session session;

    public GuidelineService(Session session) {
        this.session = session;
    }

    /** Stores the document and records its version; an existing version is invalid input. */
    public Guideline add(Path file, String version, String title, String author) {
        if (version == null || !VERSION.matcher(CanonicalJson.nfc(version)).matches()) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.guideline.invalidVersion", String.valueOf(version));
        }
        String v = CanonicalJson.nfc(version);
        if (title != null && (title.isBlank() || title.chars().anyMatch(Character::isISOControl))) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.guideline.invalidTitle", title);
        }
        if (!Files.isRegularFile(file)) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.guideline.fileNotFound", file);
        }
        try (RepositoryLock lock = session.lock("guideline add")) {
            Guideline existing = all().get(v);
            if (existing != null) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.guideline.exists", v,
                        Times.format(existing.time()), existing.author());
            }
            ObjectId blob;
            try (ObjectStore.Inserter inserter = session.repository().store().newInserter();
                 InputStream in = Files.newInputStream(file)) {
                blob = inserter.insertBlob(in);
                inserter.flush();
            } catch (IOException e) {
                throw new DsvException(ExitCode.INVALID_INPUT, e, "error.guideline.fileUnreadable", file, e.getMessage());
            }
            Map<String, Object> body = CanonicalJson.newObject();
            body.put("version", v);
            if (title != null) {
                body.put("title", CanonicalJson.nfc(title.strip()));
            }
            OffsetDateTime now = Times.now();
            String addedBy = author == null ? Identity.committer(session.repository().config()) : author;
            ObjectId id = session.repository().metadataLog().append(
                    new MetaRecord(MetaKinds.GUIDELINE, blob, addedBy, now, body));
            session.index().indexMeta(id, MetaKinds.GUIDELINE, blob, addedBy, Times.format(now));
            return new Guideline(id, v, title == null ? null : title.strip(), blob,
                    session.repository().store().size(blob), addedBy, now);
        }
    }

    /** Returns every guideline version, keyed by version, in the order they were added. */
    public Map<String, Guideline> all() {
        Map<String, Guideline> out = new LinkedHashMap<>();
        for (ObjectId id : session.index().metaIds(MetaKinds.GUIDELINE)) {
            MetaRecord r = session.repository().metadataLog().read(id);
            String version = String.valueOf(r.body().get("version"));
            Object title = r.body().get("title");
            out.putIfAbsent(version, new Guideline(id, version, title == null ? null : title.toString(), r.subject(),
                    session.repository().store().size(r.subject()), r.author(), r.time()));
        }
        return out;
    }

    /** Returns the known versions. */
    public Set<String> versions() {
        return all().keySet();
    }

    /** Returns one version, or throws invalid input naming it and the known ones. */
    public Guideline get(String version) {
        Guideline g = all().get(CanonicalJson.nfc(version));
        if (g == null) {
            throw new DsvException(ExitCode.UNKNOWN_REVISION, "error.guideline.unknown", version, known(versions()));
        }
        return g;
    }

    /** Returns the stored document of a version. */
    public byte[] document(Guideline g) {
        return session.repository().store().read(g.document(), ObjectType.BLOB);
    }

    /** Lists the known versions, sorted, for messages; a dash when there are none. */
    static String known(Set<String> versions) {
        return versions.isEmpty() ? "-" : String.join(", ", versions.stream().sorted().toList());
    }
}

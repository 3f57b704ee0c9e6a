package dev.dsv.service;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.exports.ExportPurge;
import dev.dsv.model.CanonicalJson;
import dev.dsv.model.DatasetPath;
import dev.dsv.model.ImageEntry;
import dev.dsv.model.MetaRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.model.Times;
import dev.dsv.remote.RemoteConfig;
import dev.dsv.remote.RemotePurge;
import dev.dsv.repo.MetadataLog;
import dev.dsv.repo.Repository;
import dev.dsv.repo.RepositoryLock;
import dev.dsv.store.ObjectState;
import dev.dsv.store.PackStore;
import dev.dsv.store.StoreIOException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code dsv purge}: removes the bytes of chosen images from the local store, its link cache, the
 * export folders this repository wrote and every configured remote, and keeps a {@code purge}
 * record with the reason. Trees, label records and commits stay as they are, so every commit id
 * stays valid and the blob is absent by design
 * with the reason {@value #ABSENT_REASON}. See docs/design.md, "Trust and accountability".
 */
public final class PurgeService {
    /** The absent-by-design reason of a purged blob in {@code .dsv/objects/absent}. */
    public static final String ABSENT_REASON = "purged";

    /** One purged blob with the dataset paths it was named by, and whether an earlier run had purged it locally. */
    public record Purged(ObjectId blob, List<String> paths, boolean alreadyPurged) {
    }

    /** The outcome: blobs purged, local packs rewritten, what each listed export folder and each remote did. */
    public record Result(List<Purged> blobs, int localPacksRewritten, List<ExportPurge.Folder> exports,
                         List<RemotePurge.Result> remotes) {
    }

    private final Session session;

    public PurgeService(Session session) {
        this.session = session;
    }

    /**
     * Purges the blobs of the images at {@code paths} in {@code revision} and the blobs named by
     * id; checks every argument before anything is changed.
     */
    public Result purge(String revision, List<String> paths, List<String> blobIds, String reason) {
        if (reason == null || reason.isBlank()) {
            throw new DsvException(ExitCode.USAGE, "error.purge.noReason");
        }
        if (paths.isEmpty() && blobIds.isEmpty()) {
            throw new DsvException(ExitCode.USAGE, "error.purge.nothing");
        }
        try (RepositoryLock lock = session.lock("purge")) {
            Repository repo = session.repository();
            PackStore store = repo.store();
            Map<ObjectId, Set<String>> chosen = choose(revision, paths, blobIds);

            Map<ObjectId, ObjectId> earlier = new LinkedHashMap<>();
            for (MetaQuery.Entry e : MetaQuery.ofKind(session, MetaKinds.PURGE)) {
                earlier.putIfAbsent(e.record().subject(), e.id());
            }
            List<Purged> purged = new ArrayList<>();
            List<ObjectId> recordIds = new ArrayList<>();
            Map<ObjectId, String> absent = new LinkedHashMap<>();
            MetadataLog log = repo.metadataLog();
            String author = Identity.committer(repo.config());
            for (Map.Entry<ObjectId, Set<String>> e : chosen.entrySet()) {
                ObjectId blob = e.getKey();
                boolean already = ABSENT_REASON.equals(store.absentObjects().get(blob))
                        && store.state(blob) != ObjectState.PRESENT;
                purged.add(new Purged(blob, List.copyOf(e.getValue()), already));
                absent.put(blob, ABSENT_REASON);
                // The record goes first: a purge killed after it is finished by running it again.
                if (earlier.containsKey(blob)) {
                    recordIds.add(earlier.get(blob));
                    continue;
                }
                Map<String, Object> body = CanonicalJson.newObject();
                body.put("reason", reason.strip());
                body.put("paths", List.copyOf(e.getValue()));
                recordIds.add(log.append(new MetaRecord(MetaKinds.PURGE, blob, author, Times.now(), body)));
            }
            store.markAbsent(absent);

            Set<Path> packs = new LinkedHashSet<>();
            for (ObjectId blob : chosen.keySet()) {
                packs.addAll(store.packsHolding(blob));
            }
            if (!packs.isEmpty()) {
                store.repack(new ArrayList<>(packs), id -> !chosen.containsKey(id));
            }
            deleteLinkCacheFiles(chosen.keySet());
            // Files a killed writer or push left behind may hold the bytes too, and nothing reads them.
            store.removeUnpublished();
            deleteOutgoingPacks(repo);
            // Export folders come before the remotes, so that an unreachable remote does not stop them.
            List<ExportPurge.Folder> exports = new ExportPurge(session).purge(chosen.keySet());

            List<RemotePurge.Result> remotes = new ArrayList<>();
            for (RemoteConfig.Remote remote : RemoteConfig.read(repo).list()) {
                Path cache = repo.dsvDir().resolve("remotes").resolve(remote.name());
                remotes.add(new RemotePurge(cache, store).purge(remote, chosen.keySet(), recordIds));
            }
            return new Result(purged, packs.size(), exports, remotes);
        }
    }

    /** Returns the blobs to purge with the dataset paths that named them; rejects unknown paths and ids. */
    private Map<ObjectId, Set<String>> choose(String revision, List<String> paths, List<String> blobIds) {
        Map<ObjectId, Set<String>> chosen = new LinkedHashMap<>();
        if (!paths.isEmpty()) {
            ObjectId tree = session.treeOf(session.resolve(revision));
            for (String raw : paths) {
                String path = DatasetPath.normalize(raw.replaceAll("/+$", ""));
                Map<String, ImageEntry> images = session.trees().imagesAt(tree, path);
                if (images.isEmpty()) {
                    throw new DsvException(ExitCode.UNKNOWN_REVISION, "error.purge.noImage", path, revision);
                }
                images.forEach((p, image) -> chosen.computeIfAbsent(image.blob(), b -> new LinkedHashSet<>()).add(p));
            }
        }
        PackStore store = session.repository().store();
        for (String hex : blobIds) {
            String text = hex.strip().toLowerCase(java.util.Locale.ROOT);
            if (!ObjectId.isValidHex(text)) {
                throw new DsvException(ExitCode.USAGE, "error.purge.badBlob", hex);
            }
            ObjectId blob = ObjectId.parse(text);
            if (store.state(blob) == ObjectState.MISSING) {
                throw new DsvException(ExitCode.UNKNOWN_REVISION, "error.purge.unknownBlob", text);
            }
            if (store.state(blob) == ObjectState.PRESENT
                    && store.type(blob) != dev.dsv.model.ObjectType.BLOB) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.purge.notBlob", text,
                        store.type(blob).jsonName());
            }
            chosen.computeIfAbsent(blob, b -> new LinkedHashSet<>());
        }
        return chosen;
    }

    /** Deletes the link-cache copies of purged blobs (exported hard links keep their own inode). */
    private void deleteLinkCacheFiles(Set<ObjectId> blobs) {
        Path links = session.repository().dsvDir().resolve("objects").resolve("links");
        for (ObjectId blob : blobs) {
            Path file = links.resolve(blob.hex().substring(0, 2)).resolve(blob.hex());
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw StoreIOException.of(file, e);
            }
        }
    }

    /** Deletes the packs that interrupted pushes left under {@code .dsv/remotes/NAME/outgoing}; a push rebuilds them. */
    private static void deleteOutgoingPacks(Repository repo) {
        Path remotes = repo.dsvDir().resolve("remotes");
        if (!Files.isDirectory(remotes)) {
            return;
        }
        try (java.util.stream.Stream<Path> dirs = Files.list(remotes)) {
            for (Path dir : dirs.toList()) {
                Path outgoing = dir.resolve("outgoing");
                if (!Files.isDirectory(outgoing)) {
                    continue;
                }
                try (java.util.stream.Stream<Path> files = Files.list(outgoing)) {
                    for (Path f : files.toList()) {
                        Files.deleteIfExists(f);
                    }
                }
            }
        } catch (IOException e) {
            throw StoreIOException.of(remotes, e);
        }
    }

    /** Returns the first {@code purge} record of each purged blob, by blob id. */
    public static Map<ObjectId, MetaRecord> records(Session session) {
        Map<ObjectId, MetaRecord> out = new LinkedHashMap<>();
        for (MetaQuery.Entry e : MetaQuery.ofKind(session, MetaKinds.PURGE)) {
            out.putIfAbsent(e.record().subject(), e.record());
        }
        return out;
    }

    /**
     * Returns the {@code purge} records among {@code ids}, each with the blob it names, by record
     * id. Each id must be a record in the local store, in the log or not yet (fetched from a remote).
     */
    public static Map<ObjectId, ObjectId> purgeRecordsAmong(MetadataLog log, Collection<ObjectId> ids) {
        Map<ObjectId, ObjectId> out = new LinkedHashMap<>();
        for (ObjectId id : ids) {
            MetaRecord record = log.read(id);
            if (MetaKinds.PURGE.equals(record.kind()) && record.subject() != null) {
                out.put(id, record.subject());
            }
        }
        return out;
    }

    /** Returns the ids of every blob a {@code purge} record names, for push and fetch. */
    public static Set<ObjectId> purgedBlobs(Session session) {
        return new HashSet<>(records(session).keySet());
    }
}

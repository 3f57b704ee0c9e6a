package dev.dsv.remote;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.repo.Repository;
import dev.dsv.repo.RepositoryLock;
import dev.dsv.service.Session;
import java.util.List;
import java.util.Map;

/** {@code dsv remote add/list/remove}: the remotes of a repository. */
public final class RemoteService {
    private final Session session;

    public RemoteService(Session session) {
        this.session = session;
    }

    /**
     * Adds a remote after checking its name, URL and options and probing the storage: a storage
     * that ignores conditional writes is refused, since refs could not be moved safely there.
     * Returns what the probe found.
     */
    public RemoteStorage.Capabilities add(String name, String url, Map<String, String> options) {
        try (RepositoryLock lock = session.lock("remote add")) {
            Repository repo = session.repository();
            if (!Repository.isValidRemoteName(name)) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.remote.invalidName", name);
            }
            RemoteConfig config = RemoteConfig.read(repo);
            if (config.contains(name)) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.remote.exists", name,
                        config.require(name).spec().url());
            }
            RemoteSpec spec = new RemoteSpec(name, url, options);
            RemoteStorageProvider provider = RemoteStorages.provider(url);
            provider.checkOptions(spec);
            RemoteOptions.transfers(spec);
            RemoteOptions.packSize(spec);
            RemoteStorage.Capabilities caps;
            try (RemoteStorage storage = RemoteStorages.open(spec)) {
                caps = storage.probe();
            }
            if (!caps.atomicCompareAndSwap()) {
                throw new DsvException(ExitCode.IO_ERROR, "error.remote.noCas", url, caps.detail());
            }
            config.put(new RemoteConfig.Remote(spec, null));
            return caps;
        }
    }

    public List<RemoteConfig.Remote> list() {
        return RemoteConfig.read(session.repository()).list();
    }

    /** Removes a remote with its remote-tracking refs and cached indexes. */
    public void remove(String name) {
        try (RepositoryLock lock = session.lock("remote remove")) {
            Repository repo = session.repository();
            RemoteConfig config = RemoteConfig.read(repo);
            config.require(name);
            repo.deleteRemoteRefs(name);
            config.remove(name);
            deleteTree(repo.dsvDir().resolve("remotes").resolve(name));
        }
    }

    static void deleteTree(java.nio.file.Path dir) {
        if (!java.nio.file.Files.exists(dir)) {
            return;
        }
        try (var walk = java.nio.file.Files.walk(dir)) {
            for (java.nio.file.Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.deleteIfExists(p);
            }
        } catch (java.io.IOException e) {
            throw dev.dsv.store.StoreIOException.of(dir, e);
        }
    }
}

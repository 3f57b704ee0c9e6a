package dev.dsv.remote;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.model.ObjectId;
import dev.dsv.repo.Repository;
import dev.dsv.repo.RepositoryConfig;
import dev.dsv.repo.RepositoryLock;
import dev.dsv.service.Session;
import dev.dsv.store.AtomicFiles;
import dev.dsv.store.StoreIOException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code dsv clone URL DIR}: a new repository with the remote's configuration, the remote as
 * {@code origin}, everything fetched (or, with a filter, the matching blobs only), a local branch
 * for every remote branch, and {@code main} checked out. A failed clone removes what it created.
 */
public final class CloneService {
    /** The outcome of a clone: the folder, the branch checked out, the branches and the fetch figures. */
    public record Result(Path directory, String branch, List<String> branches, FetchService.Result fetch) {
    }

    private CloneService() {
    }

    public static Result clone(String url, Path dir, BlobFilter filter, Map<String, String> options) {
        Path target = dir.toAbsolutePath().normalize();
        RemoteSpec spec = new RemoteSpec("origin", url, options);
        RemoteStorages.provider(url).checkOptions(spec);
        byte[] config;
        try (RemoteStorage storage = RemoteStorages.open(spec)) {
            RemoteLayout.checkFormat(storage, false);
            config = storage.get(RemoteLayout.CONFIG);
        }
        if (filter != null && config != null) {
            filter = filter.resolve(RepositoryConfig.parse(config, Path.of(url, RemoteLayout.CONFIG)), url);
        }
        boolean existed = Files.exists(target);
        if (existed && (!Files.isDirectory(target) || !isEmpty(target))) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.clone.notEmpty", target);
        }
        boolean done = false;
        try {
            Result r = cloneInto(target, spec, filter, config);
            done = true;
            return r;
        } finally {
            if (!done) {
                if (existed) {
                    RemoteService.deleteTree(target.resolve(Repository.DIR_NAME));
                } else {
                    RemoteService.deleteTree(target);
                }
            }
        }
    }

    private static Result cloneInto(Path target, RemoteSpec spec, BlobFilter filter, byte[] config) {
        try (Session created = Session.init(target)) {
            if (config != null) {
                Path file = created.repository().dsvDir().resolve("config.json");
                try {
                    AtomicFiles.write(file, config);
                } catch (IOException e) {
                    throw StoreIOException.of(file, e);
                }
                RepositoryConfig.read(file);
            }
        }
        try (Session session = Session.open(target)) {
            try (RepositoryLock lock = session.lock("clone")) {
                RemoteConfig.read(session.repository()).put(new RemoteConfig.Remote(spec, filter));
            }
            FetchService.Result fetched = new FetchService(session).fetch("origin");
            Repository repo = session.repository();
            List<String> branches = new ArrayList<>();
            String checkout = null;
            try (RepositoryLock lock = session.lock("clone")) {
                for (Map.Entry<String, ObjectId> e : repo.remoteRefs().entrySet()) {
                    String branch = e.getKey().substring("refs/remotes/origin/".length());
                    repo.updateBranch(branch, null, e.getValue());
                    branches.add(branch);
                }
                if (branches.contains(Repository.DEFAULT_BRANCH) || branches.isEmpty()) {
                    checkout = Repository.DEFAULT_BRANCH;
                } else {
                    checkout = branches.get(0);
                }
                repo.setHead(checkout);
            }
            return new Result(target, checkout, branches, fetched);
        }
    }

    private static boolean isEmpty(Path dir) {
        try (var files = Files.list(dir)) {
            return files.findAny().isEmpty();
        } catch (IOException e) {
            throw StoreIOException.of(dir, e);
        }
    }
}

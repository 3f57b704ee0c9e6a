package dev.dsv.remote;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Picks the storage provider of a remote URL: the providers found by {@link ServiceLoader} first
 * (so that one for {@code s3://} is used for S3 URLs), then the built-in directory provider.
 */
public final class RemoteStorages {
    private RemoteStorages() {
    }

    /** Returns the provider for a URL; throws exit code 3 for a scheme no provider handles. */
    public static RemoteStorageProvider provider(String url) {
        List<RemoteStorageProvider> all = new ArrayList<>();
        ServiceLoader.load(RemoteStorageProvider.class, RemoteStorages.class.getClassLoader()).forEach(all::add);
        all.add(new DirectoryStorageProvider());
        for (RemoteStorageProvider p : all) {
            if (p.supports(url)) {
                return p;
            }
        }
        throw new DsvException(ExitCode.INVALID_INPUT, "error.remote.scheme", url);
    }

    /** Opens a remote's storage, wrapped so that transient failures are retried with backoff. */
    public static RemoteStorage open(RemoteSpec spec) {
        return new RetryingStorage(provider(spec.url()).open(spec));
    }
}

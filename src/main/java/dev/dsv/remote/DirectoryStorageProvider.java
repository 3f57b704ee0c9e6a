package dev.dsv.remote;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import java.net.URI;
import java.nio.file.Path;

/** Opens directory remotes: a plain path or a {@code file://} URL. */
public final class DirectoryStorageProvider implements RemoteStorageProvider {
    @Override
    public boolean supports(String url) {
        return url.startsWith("file:") || !url.matches("^[A-Za-z][A-Za-z0-9+.-]*://.*");
    }

    @Override
    public void checkOptions(RemoteSpec spec) {
        for (String key : spec.options().keySet()) {
            if (!RemoteOptions.COMMON.contains(key)) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.remote.option", key, spec.url(),
                        String.join(", ", RemoteOptions.COMMON));
            }
        }
    }

    @Override
    public RemoteStorage open(RemoteSpec spec) {
        return new DirectoryStorage(path(spec.url()), spec.url());
    }

    /** Returns the folder of a directory remote URL. */
    public static Path path(String url) {
        if (url.startsWith("file:")) {
            return Path.of(URI.create(url));
        }
        return Path.of(url);
    }
}

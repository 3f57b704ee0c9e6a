package dev.dsv.remote;

/**
 * Opens the storage for one kind of remote URL. Providers are found with
 * {@link java.util.ServiceLoader} (a line in
 * {@code META-INF/services/dev.dsv.remote.RemoteStorageProvider}), so a storage kind is added
 * without changing the protocol code.
 */
public interface RemoteStorageProvider {
    /** Returns true when this provider handles the URL, normally by its scheme. */
    boolean supports(String url);

    /**
     * Checks a remote's options before {@code dsv remote add} saves them; throws
     * {@link dev.dsv.error.DsvException} with exit code 3 naming a bad option.
     */
    void checkOptions(RemoteSpec spec);

    /** Opens the storage of a remote. Opening does not need to contact the storage. */
    RemoteStorage open(RemoteSpec spec);
}

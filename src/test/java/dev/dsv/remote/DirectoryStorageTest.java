package dev.dsv.remote;

/** Runs the storage contract against a folder. */
class DirectoryStorageTest extends RemoteStorageContract {
    @Override
    protected RemoteStorage newStorage() {
        return new DirectoryStorage(scratch.resolve("remote"), scratch.resolve("remote").toString());
    }
}

package dev.dsv.remote.s3;

import dev.dsv.remote.RemoteSpec;
import dev.dsv.remote.RemoteStorage;
import dev.dsv.remote.RemoteStorageProvider;

/** Opens S3 remotes: URLs {@code s3://BUCKET} and {@code s3://BUCKET/PREFIX}. */
public final class S3StorageProvider implements RemoteStorageProvider {
    @Override
    public boolean supports(String url) {
        return url.startsWith("s3://");
    }

    @Override
    public void checkOptions(RemoteSpec spec) {
        S3Settings.of(spec);
    }

    @Override
    public RemoteStorage open(RemoteSpec spec) {
        return new S3RemoteStorage(S3Settings.of(spec), spec.url());
    }
}

package dev.dsv.remote.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.remote.RemoteSpec;
import dev.dsv.remote.RemoteStorages;
import java.util.Map;
import org.junit.jupiter.api.Test;

class S3SettingsTest {
    private static RemoteSpec spec(String url, Map<String, String> options) {
        return new RemoteSpec("origin", url, options);
    }

    @Test
    void readsBucketPrefixAndOptions() {
        S3Settings s = S3Settings.of(spec("s3://el-images/team/lib/", Map.of("endpoint", "https://s3.site.example:9000",
                "path-style", "true", "region", "eu-central-1", "profile", "lab", "transfers", "8")));
        assertEquals("el-images", s.bucket());
        assertEquals("team/lib", s.prefix());
        assertEquals("team/lib/packs/p", s.objectKey("packs/p"));
        assertTrue(s.pathStyle());
        assertEquals("eu-central-1", s.region());
        assertEquals("lab", s.profile());
        assertEquals(8, s.transfers());
        assertEquals(S3Settings.CasFallback.NONE, s.casFallback());
        S3Settings bare = S3Settings.of(spec("s3://el-images", Map.of()));
        assertEquals("", bare.prefix());
        assertEquals("packs/p", bare.objectKey("packs/p"));
        assertNull(bare.endpoint());
    }

    @Test
    void s3UrlsGoToTheS3Provider() {
        assertTrue(RemoteStorages.provider("s3://bucket/x") instanceof S3StorageProvider);
    }

    @Test
    void rejectsBadValuesWithExitCode3() {
        for (RemoteSpec bad : new RemoteSpec[] {
            spec("s3://Bad_Bucket/x", Map.of()),
            spec("s3://bucket/a//b", Map.of()),
            spec("s3://bucket", Map.of("colour", "blue")),
            spec("s3://bucket", Map.of("endpoint", "ftp://host")),
            spec("s3://bucket", Map.of("proxy", "http://user:secret@127.0.0.1:3128")),
            spec("s3://bucket", Map.of("path-style", "maybe")),
            spec("s3://bucket", Map.of("cas-fallback", "hope")),
            spec("s3://bucket", Map.of("ca-bundle", "/no/such/file.pem")),
            spec("s3://bucket", Map.of("lease-seconds", "5", "lease-settle-ms", "4000")),
        }) {
            DsvException e = assertThrows(DsvException.class, () -> new S3StorageProvider().checkOptions(bad),
                    bad.toString());
            assertEquals(ExitCode.INVALID_INPUT, e.exitCode(), bad.toString());
            assertTrue(!e.getMessage().contains("secret"), e.getMessage());
        }
    }
}

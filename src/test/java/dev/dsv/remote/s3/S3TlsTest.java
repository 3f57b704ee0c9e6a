package dev.dsv.remote.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.remote.RemoteStorage;
import dev.dsv.remote.RemoteStorageException;
import dev.dsv.testing.s3.S3TestCredentials;
import dev.dsv.testing.s3.S3TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An S3 server behind a site certificate authority: S3Proxy over HTTPS on 127.0.0.1 with a key
 * pair made by the JDK's keytool. Without the remote's ca-bundle option the TLS handshake fails
 * with a message that says to set it; with the PEM file the same remote works.
 */
class S3TlsTest {
    @TempDir
    Path dir;

    private void keytool(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
    }

    @Test
    void caBundleLetsTheClientTrustASiteCertificate() throws Exception {
        S3TestCredentials.install();
        Path keyStore = dir.resolve("server.p12");
        Path pem = dir.resolve("site-ca.pem");
        keytool("-genkeypair", "-alias", "s3", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1", "-keystore", keyStore.toString(),
                "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit");
        keytool("-exportcert", "-rfc", "-alias", "s3", "-keystore", keyStore.toString(), "-storepass",
                "changeit", "-file", pem.toString());
        try (S3TestServer server = S3TestServer.startTls(keyStore, "changeit")) {
            server.createBucket("tls");
            assertTrue(server.endpoint().startsWith("https://127.0.0.1:"));
            try (RemoteStorage plain = new S3StorageProvider().open(
                    S3RemoteStorageTest.spec("s3://tls/lib", server.endpoint()))) {
                RemoteStorageException e = assertThrows(RemoteStorageException.class, plain::probe);
                assertFalse(e.isTransient());
                assertTrue(String.valueOf(e.arguments()[2]).contains("--ca-bundle"), e.getMessage());
            }
            try (RemoteStorage trusted = new S3StorageProvider().open(S3RemoteStorageTest.spec("s3://tls/lib",
                    server.endpoint(), S3Settings.CA_BUNDLE, pem.toString()))) {
                assertTrue(trusted.probe().atomicCompareAndSwap());
                trusted.put("packs/x", new byte[] {1, 2, 3});
                assertArrayEquals(new byte[] {1, 2, 3}, trusted.get("packs/x"));
            }
        }
        Path notPem = dir.resolve("empty.pem");
        Files.writeString(notPem, "not a certificate\n");
        DsvException bad = assertThrows(DsvException.class, () -> new S3StorageProvider().open(
                S3RemoteStorageTest.spec("s3://tls/lib", "https://127.0.0.1:1", S3Settings.CA_BUNDLE, notPem.toString())));
        assertEquals(ExitCode.INVALID_INPUT, bad.exitCode());
    }
}

package dev.dsv.remote.s3;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Collection;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.http.apache5.ProxyConfiguration;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.AwsProfileRegionProvider;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * Builds the AWS SDK client of an S3 remote: the synchronous client over the Apache HttpClient 5 transport,
 * whose connection pool is bounded by the remote's {@code transfers} option, with the endpoint,
 * path-style, region, profile, CA bundle and proxy settings. The SDK does not retry by itself:
 * {@link dev.dsv.remote.RetryingStorage} repeats whole operations and {@link S3RemoteStorage}
 * repeats single parts of a multipart upload, so one layer decides and the count is known.
 */
final class S3Clients {
    /** Region used with an endpoint override when no region is configured (servers ignore it). */
    static final String DEFAULT_ENDPOINT_REGION = "us-east-1";

    private S3Clients() {
    }

    static S3Client build(S3Settings settings, String remote) {
        Apache5HttpClient.Builder http = Apache5HttpClient.builder()
                .maxConnections(settings.transfers() + 2)
                .connectionTimeout(Duration.ofSeconds(10))
                .socketTimeout(Duration.ofSeconds(60))
                .connectionAcquisitionTimeout(Duration.ofMinutes(5))
                // Conditional writes are refused before the body is read; with 100-continue some
                // servers (S3Proxy on Jetty) accept the body, answer 412 and close the connection
                // while the client still writes, which the client sees as a broken pipe.
                .expectContinueEnabled(false);
        if (settings.caBundle() != null) {
            TrustManager[] managers = trustManagers(settings, remote);
            http.tlsTrustManagersProvider(() -> managers);
        }
        if (settings.proxy() != null) {
            http.proxyConfiguration(ProxyConfiguration.builder()
                    .endpoint(settings.proxy())
                    .useSystemPropertyValues(false)
                    .useEnvironmentVariableValues(false)
                    .build());
        }
        S3ClientBuilder builder = S3Client.builder()
                .httpClientBuilder(http)
                .credentialsProvider(credentials(settings))
                .region(region(settings))
                .forcePathStyle(settings.pathStyle())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()));
        if (settings.endpoint() != null) {
            builder.endpointOverride(settings.endpoint());
        }
        return builder.build();
    }

    private static AwsCredentialsProvider credentials(S3Settings settings) {
        if (settings.profile() != null) {
            return ProfileCredentialsProvider.builder().profileName(settings.profile()).build();
        }
        return DefaultCredentialsProvider.builder().build();
    }

    private static Region region(S3Settings settings) {
        if (settings.region() != null) {
            return Region.of(settings.region());
        }
        if (settings.profile() != null) {
            try {
                Region r = new AwsProfileRegionProvider(() -> ProfileFile.defaultProfileFile(),
                        settings.profile()).getRegion();
                if (r != null) {
                    return r;
                }
            } catch (RuntimeException e) {
                // the profile names no region; fall through
            }
        }
        if (settings.endpoint() != null) {
            return Region.of(DEFAULT_ENDPOINT_REGION);
        }
        return DefaultAwsRegionProviderChain.builder().build().getRegion();
    }

    /** Trust managers that accept the JDK's authorities and those of the remote's CA bundle. */
    private static TrustManager[] trustManagers(S3Settings settings, String remote) {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int n = 0;
            TrustManagerFactory defaults = TrustManagerFactory.getInstance(
                    TrustManagerFactory.getDefaultAlgorithm());
            defaults.init((KeyStore) null);
            for (TrustManager tm : defaults.getTrustManagers()) {
                if (tm instanceof X509TrustManager x509) {
                    for (X509Certificate cert : x509.getAcceptedIssuers()) {
                        store.setCertificateEntry("jdk-" + n++, cert);
                    }
                }
            }
            Collection<? extends Certificate> bundle;
            try (InputStream in = Files.newInputStream(settings.caBundle())) {
                bundle = CertificateFactory.getInstance("X.509").generateCertificates(in);
            }
            if (bundle.isEmpty()) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.s3.caBundleEmpty",
                        settings.caBundle(), remote);
            }
            for (Certificate cert : bundle) {
                store.setCertificateEntry("bundle-" + n++, cert);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(
                    TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return factory.getTrustManagers();
        } catch (IOException | GeneralSecurityException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.s3.caBundleRead", settings.caBundle(),
                    remote, String.valueOf(e.getMessage()));
        }
    }
}

package dev.dsv.remote.s3;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.remote.RemoteOptions;
import dev.dsv.remote.RemoteSpec;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The settings of one S3 remote, read from its URL ({@code s3://BUCKET/PREFIX}) and its options.
 * Credentials are not settings: they come from the AWS SDK's default chain or the named profile.
 *
 * @param bucket the bucket name
 * @param prefix the key prefix inside the bucket, without leading or trailing slash; may be empty
 * @param endpoint an endpoint URL for an S3-compatible store, or null for AWS
 * @param region the region name, or null to use the SDK's region chain
 * @param pathStyle true to address the bucket in the path instead of the host name
 * @param profile a profile name of the shared AWS config and credentials files, or null
 * @param caBundle a PEM file of certificate authorities to trust besides the JDK's, or null
 * @param proxy an HTTP(S) proxy URL, or null for none (or the SDK's defaults)
 * @param casFallback how to move refs when the server ignores conditional writes
 * @param leaseMillis how long a lease lock stays valid after it was written
 * @param settleMillis how long a lease writer waits before it reads its lock back
 * @param transfers the number of parallel transfers (bounds the connection pool)
 */
public record S3Settings(String bucket, String prefix, URI endpoint, String region, boolean pathStyle,
        String profile, Path caBundle, URI proxy, CasFallback casFallback, long leaseMillis,
        long settleMillis, int transfers) {

    public static final String ENDPOINT = "endpoint";
    public static final String REGION = "region";
    public static final String PATH_STYLE = "path-style";
    public static final String PROFILE = "profile";
    public static final String CA_BUNDLE = "ca-bundle";
    public static final String PROXY = "proxy";
    public static final String CAS_FALLBACK = "cas-fallback";
    public static final String LEASE_SECONDS = "lease-seconds";
    public static final String LEASE_SETTLE_MS = "lease-settle-ms";

    /** The options an S3 remote accepts, its own and the common ones. */
    public static final List<String> KNOWN;

    static {
        List<String> known = new ArrayList<>(RemoteOptions.COMMON);
        known.addAll(List.of(ENDPOINT, REGION, PATH_STYLE, PROFILE, CA_BUNDLE, PROXY, CAS_FALLBACK,
                LEASE_SECONDS, LEASE_SETTLE_MS));
        KNOWN = List.copyOf(known);
    }

    /** The way refs move on a server that does not honour If-Match and If-None-Match. */
    public enum CasFallback {
        /** Refuse to move refs (the default). */
        NONE,
        /** Move refs while holding a lease lock object (see docs/design.md, "S3"). */
        LEASE
    }

    /** Reads and checks the settings of a remote; throws exit code 3 naming a bad value. */
    public static S3Settings of(RemoteSpec spec) {
        for (String key : spec.options().keySet()) {
            if (!KNOWN.contains(key)) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.remote.option", key, spec.url(),
                        String.join(", ", KNOWN));
            }
        }
        String rest = spec.url().substring("s3://".length());
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? "" : rest.substring(slash + 1);
        while (prefix.endsWith("/")) {
            prefix = prefix.substring(0, prefix.length() - 1);
        }
        if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.s3.bucket", spec.url(), bucket);
        }
        if (!prefix.isEmpty() && !prefix.matches("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*")) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.s3.prefix", spec.url(), prefix);
        }
        URI endpoint = url(spec, ENDPOINT);
        URI proxy = url(spec, PROXY);
        String region = spec.options().get(REGION);
        if (region != null && !region.matches("[a-z0-9-]+")) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.remote.optionValue", REGION, region,
                    "a region name such as eu-central-1");
        }
        String pathStyleText = spec.option(PATH_STYLE, "false").toLowerCase(Locale.ROOT);
        if (!pathStyleText.equals("true") && !pathStyleText.equals("false")) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.remote.optionValue", PATH_STYLE,
                    pathStyleText, "true or false");
        }
        String profile = spec.options().get(PROFILE);
        if (profile != null && !profile.matches("[A-Za-z0-9._-]+")) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.remote.optionValue", PROFILE, profile,
                    "a profile name of the AWS config file");
        }
        Path caBundle = null;
        String ca = spec.options().get(CA_BUNDLE);
        if (ca != null) {
            caBundle = Path.of(ca).toAbsolutePath().normalize();
            if (!Files.isRegularFile(caBundle)) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.s3.caBundle", caBundle, spec.url());
            }
        }
        CasFallback fallback;
        String fb = spec.option(CAS_FALLBACK, "none").toLowerCase(Locale.ROOT);
        switch (fb) {
            case "none" -> fallback = CasFallback.NONE;
            case "lease" -> fallback = CasFallback.LEASE;
            default -> throw new DsvException(ExitCode.INVALID_INPUT, "error.remote.optionValue",
                    CAS_FALLBACK, fb, "none or lease");
        }
        long leaseSeconds = number(spec, LEASE_SECONDS, 30, 5, 3600, "5 to 3600");
        long settle = number(spec, LEASE_SETTLE_MS, 500, 10, 60_000, "10 to 60000");
        if (settle * 4 > leaseSeconds * 1000) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.remote.optionValue", LEASE_SETTLE_MS,
                    settle, "at most a quarter of lease-seconds");
        }
        return new S3Settings(bucket, prefix, endpoint, region, pathStyleText.equals("true"), profile,
                caBundle, proxy, fallback, leaseSeconds * 1000, settle, RemoteOptions.transfers(spec));
    }

    private static URI url(RemoteSpec spec, String key) {
        String text = spec.options().get(key);
        if (text == null) {
            return null;
        }
        try {
            URI uri = new URI(text);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
                throw new URISyntaxException(text, "not an http or https URL");
            }
            if (uri.getUserInfo() != null) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.s3.userInfo", key, spec.url());
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.remote.optionValue", key, text,
                    "an http:// or https:// URL with a host");
        }
    }

    private static long number(RemoteSpec spec, String key, long fallback, long min, long max, String range) {
        String text = spec.options().get(key);
        if (text == null) {
            return fallback;
        }
        try {
            long n = Long.parseLong(text.trim());
            if (n < min || n > max) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.remote.optionValue", key, text, range);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.remote.optionValue", key, text, range);
        }
    }

    /** Returns the object key in the bucket for a remote key. */
    public String objectKey(String key) {
        return prefix.isEmpty() ? key : prefix + "/" + key;
    }
}

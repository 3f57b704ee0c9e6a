package dev.dsv.testing.s3;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Test credentials for {@link S3TestServer}, given to the AWS SDK the way a user would: as
 * profiles in a shared credentials file. {@link #install()} writes the file once per JVM and
 * points the SDK at it through its system properties; it also turns off the SDK's instance
 * metadata look-ups so that no test ever contacts an address outside 127.0.0.1.
 */
public final class S3TestCredentials {
    /** A profile with the server's access key and secret. */
    public static final String PROFILE = "dsv-test";
    /** A profile with the right access key and a wrong secret. */
    public static final String WRONG_PROFILE = "dsv-wrong";
    /** A profile with the server's access key and secret and a session token, as temporary credentials have. */
    public static final String TOKEN_PROFILE = "dsv-token";
    /** The session token of {@link #TOKEN_PROFILE}; S3Proxy does not check it. */
    public static final String SESSION_TOKEN = "dsv-test-session-token-FwoGZXIvYXdzEXAMPLE0123456789";

    private static Path file;

    private S3TestCredentials() {
    }

    /** Writes the credentials file (once) and points the SDK at it. */
    public static synchronized void install() {
        if (file != null) {
            return;
        }
        try {
            Path dir = Files.createTempDirectory("dsv-aws");
            file = dir.resolve("credentials");
            Files.writeString(file, "[" + PROFILE + "]\naws_access_key_id = " + S3TestServer.ACCESS_KEY
                    + "\naws_secret_access_key = " + S3TestServer.SECRET_KEY + "\n\n[" + WRONG_PROFILE
                    + "]\naws_access_key_id = " + S3TestServer.ACCESS_KEY
                    + "\naws_secret_access_key = not-the-secret\n\n[" + TOKEN_PROFILE + "]\naws_access_key_id = "
                    + S3TestServer.ACCESS_KEY + "\naws_secret_access_key = " + S3TestServer.SECRET_KEY
                    + "\naws_session_token = " + SESSION_TOKEN + "\n");
            Path config = dir.resolve("config");
            Files.writeString(config, "[profile " + PROFILE + "]\nregion = us-east-1\n");
            System.setProperty("aws.sharedCredentialsFile", file.toString());
            System.setProperty("aws.configFile", config.toString());
            System.setProperty("aws.disableEc2Metadata", "true");
            System.setProperty("aws.region", "us-east-1");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Returns the environment variables that give a dsv child process (see DsvProcess) the same
     * profiles, with the SDK's instance metadata look-ups turned off.
     */
    public static synchronized Map<String, String> environment() {
        install();
        return Map.of("AWS_SHARED_CREDENTIALS_FILE", file.toString(),
                "AWS_CONFIG_FILE", file.resolveSibling("config").toString(),
                "AWS_EC2_METADATA_DISABLED", "true",
                "AWS_REGION", "us-east-1");
    }
}

package dev.dsv.repo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The name of this machine, read from {@code HOSTNAME} or {@code /etc/hostname}. It deliberately
 * avoids {@code InetAddress.getLocalHost()}, which may send a DNS query.
 */
public final class HostName {
    private HostName() {
    }

    public static String get() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env.strip();
        }
        try {
            String file = Files.readString(Path.of("/etc/hostname")).strip();
            if (!file.isEmpty()) {
                return file;
            }
        } catch (IOException | RuntimeException e) {
            // No hostname file (Windows, some containers): fall through to the placeholder.
        }
        return "localhost";
    }
}

package dev.dsv.service;

/**
 * The default committer: {@code DSV_COMMITTER} when set, else the operating-system user at this
 * host, so that a commit is never anonymous.
 */
public final class Identity {
    private Identity() {
    }

    /** Returns the author of a new commit or record. */
    public static String committer() {
        String configured = System.getenv("DSV_COMMITTER");
        if (configured != null && !configured.isBlank()) {
            return configured.strip();
        }
        String user = System.getProperty("user.name", "unknown");
        return user + "@" + dev.dsv.repo.HostName.get();
    }
}

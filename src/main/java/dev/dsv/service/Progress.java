package dev.dsv.service;

/**
 * Receives progress of long operations. The CLI shows it on stderr when stderr is a terminal;
 * services never print. Implementations must be thread-safe: workers report concurrently.
 */
public interface Progress {
    Progress NONE = new Progress() {
        @Override
        public void start(String phase, long total) {
        }

        @Override
        public void advance(long done) {
        }

        @Override
        public void finish() {
        }
    };

    /** Starts a phase such as "hash" with the number of items it will process (0 if unknown). */
    void start(String phase, long total);

    /** Reports that {@code done} more items of the current phase are finished. */
    void advance(long done);

    /** Ends the current phase. */
    void finish();
}

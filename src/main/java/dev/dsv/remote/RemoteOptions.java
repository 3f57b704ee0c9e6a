package dev.dsv.remote;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import java.util.List;

/** Options that every kind of remote accepts, with their defaults. */
public final class RemoteOptions {
    /** Parallel transfers (threads and connections) of one command. */
    public static final String TRANSFERS = "transfers";
    /** The size in bytes at which push starts a new blob pack. */
    public static final String PACK_SIZE = "pack-size";

    public static final List<String> COMMON = List.of(TRANSFERS, PACK_SIZE);

    public static final int DEFAULT_TRANSFERS = 4;
    public static final long DEFAULT_PACK_SIZE = 64L << 20;

    private RemoteOptions() {
    }

    public static int transfers(RemoteSpec spec) {
        long n = number(spec, TRANSFERS, DEFAULT_TRANSFERS);
        if (n < 1 || n > 64) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.remote.optionValue", TRANSFERS, n, "1 to 64");
        }
        return (int) n;
    }

    public static long packSize(RemoteSpec spec) {
        long n = number(spec, PACK_SIZE, DEFAULT_PACK_SIZE);
        if (n < 1024) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.remote.optionValue", PACK_SIZE, n, "1024 or more");
        }
        return n;
    }

    private static long number(RemoteSpec spec, String key, long fallback) {
        String text = spec.options().get(key);
        if (text == null) {
            return fallback;
        }
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.remote.optionValue", key, text, "a whole number");
        }
    }
}

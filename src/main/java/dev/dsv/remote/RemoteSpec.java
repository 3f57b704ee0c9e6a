package dev.dsv.remote;

import java.util.Map;
import java.util.TreeMap;

/**
 * A configured remote: its name, its URL and its options (for S3: endpoint, region, path-style,
 * CA bundle, proxy; for every kind: transfers, pack-size). Credentials are never part of it.
 */
public record RemoteSpec(String name, String url, Map<String, String> options) {
    public RemoteSpec {
        options = Map.copyOf(new TreeMap<>(options));
    }

    /** Returns an option's value, or {@code fallback} when it is not set. */
    public String option(String key, String fallback) {
        return options.getOrDefault(key, fallback);
    }
}

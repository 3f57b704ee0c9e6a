package dev.dsv.service;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.model.Commit;
import dev.dsv.model.ObjectId;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses revision strings; see {@link Session#resolve(String)}. */
final class RevisionParser {
    private static final Pattern SUFFIX = Pattern.compile("(~(\\d*)|\\^)$");
    private static final Pattern HEX_PREFIX = Pattern.compile("[0-9a-f]{4,64}");

    private final Session session;

    RevisionParser(Session session) {
        this.session = session;
    }

    ObjectId resolve(String revision) {
        String base = revision.trim();
        java.util.ArrayList<Integer> ancestry = new java.util.ArrayList<>();
        Matcher m;
        while ((m = SUFFIX.matcher(base)).find()) {
            String n = m.group(2);
            ancestry.add(0, m.group(1).equals("^") ? 1 : (n == null || n.isEmpty() ? 1 : parseCount(n, revision)));
            base = base.substring(0, m.start());
        }
        ObjectId id = resolveBase(base, revision);
        for (int count : ancestry) {
            for (int i = 0; i < count; i++) {
                Commit c = session.readCommit(id);
                if (c.parents().isEmpty()) {
                    throw new DsvException(ExitCode.UNKNOWN_REVISION, "error.revision.noParent", revision, id.abbreviate(12));
                }
                id = c.parents().get(0);
            }
        }
        return id;
    }

    private static int parseCount(String n, String revision) {
        try {
            return Integer.parseInt(n);
        } catch (NumberFormatException e) {
            throw new DsvException(ExitCode.UNKNOWN_REVISION, "error.revision.unknown", revision);
        }
    }

    /** Resolves {@code REMOTE/BRANCH} or {@code remotes/REMOTE/BRANCH}; null when neither names a remote-tracking ref. */
    private ObjectId remoteTracking(String base) {
        String name = base.startsWith("remotes/") ? base.substring("remotes/".length()) : base;
        String key = "refs/remotes/" + name;
        return session.repository().remoteRefs().get(key);
    }

    private ObjectId resolveBase(String base, String revision) {
        var repo = session.repository();
        if (base.equals("HEAD")) {
            ObjectId head = repo.headCommit();
            if (head == null) {
                throw new DsvException(ExitCode.UNKNOWN_REVISION, "error.revision.noCommits", repo.currentBranch());
            }
            return head;
        }
        if (repo.branches().contains(base)) {
            return repo.readBranch(base);
        }
        if (repo.tags().contains(base)) {
            return repo.readRef(dev.dsv.repo.Repository.RefKind.TAG, base);
        }
        ObjectId tracked = remoteTracking(base);
        if (tracked != null) {
            return tracked;
        }
        if (base.matches("[0-9A-Fa-f]{4,64}")) {
            base = base.toLowerCase(java.util.Locale.ROOT);
        }
        if (HEX_PREFIX.matcher(base).matches()) {
            if (base.length() == ObjectId.HEX_LENGTH) {
                ObjectId id = ObjectId.parse(base);
                if (repo.store().contains(id) && repo.store().type(id) == dev.dsv.model.ObjectType.COMMIT) {
                    return id;
                }
            } else {
                List<ObjectId> matches = session.index().commitsWithPrefix(base, 10);
                if (matches.size() == 1) {
                    return matches.get(0);
                }
                if (matches.size() > 1) {
                    throw new DsvException(ExitCode.UNKNOWN_REVISION, "error.revision.ambiguous", base,
                            String.join(", ", matches.stream().map(i -> i.abbreviate(12)).toList()));
                }
            }
        }
        throw new DsvException(ExitCode.UNKNOWN_REVISION, "error.revision.unknown", revision);
    }
}

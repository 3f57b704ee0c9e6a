package dev.dsv.service;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.model.MetaRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.model.Times;
import dev.dsv.repo.RepositoryLock;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Verification marks: {@code dsv verify mark REV --verifier ID} records in the metadata log, never
 * in the commit, that a verifier checked a commit. The promote gate for verification reads them.
 */
public final class VerificationService {
    private final Session session;

    public VerificationService(Session session) {
        this.session = session;
    }

    public ObjectId mark(String revision, String verifier, String note) {
        if (verifier == null || verifier.isBlank()) {
            throw new DsvException(ExitCode.USAGE, "error.verify.verifier");
        }
        try (RepositoryLock lock = session.lock("verify mark")) {
            ObjectId commit = session.resolve(revision);
            Map<String, Object> body = note == null ? Map.of("status", "verified") : Map.of("status", "verified", "note", note);
            session.repository().metadataLog().append(
                    new MetaRecord(MetaKinds.VERIFICATION, commit, verifier.strip(), Times.now(), body));
            return commit;
        }
    }

    /** Returns the commits that carry a verification mark. */
    public Set<ObjectId> verifiedCommits() {
        Set<ObjectId> out = new HashSet<>();
        for (MetaQuery.Entry e : MetaQuery.ofKind(session, MetaKinds.VERIFICATION)) {
            out.add(e.record().subject());
        }
        return out;
    }
}

package dev.dsv.trust;

import dev.dsv.error.DsvException;
import dev.dsv.model.MetaRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.repo.MetadataLog;
import dev.dsv.service.Session;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks the signature of every signed record in the metadata log, for {@code dsv fsck}. Records
 * that cannot be read are fsck's own findings and are skipped here.
 */
public final class SignatureAudit {
    /** A signed record whose signature does not verify, with the checking program's reason. */
    public record Invalid(ObjectId id, String kind, String author, String detail) {
    }

    /**
     * Counts of signed records, of those valid for their author, of those only checked for
     * integrity and so unverified (no allowed-signers file), and the records whose signature
     * failed; {@code allowedSigners} is the file checked against and {@code allowedSignersFound}
     * whether it exists.
     */
    public record Report(int signed, int valid, int unchecked, List<Invalid> invalid, Path allowedSigners,
                         boolean allowedSignersFound) {
        public boolean clean() {
            return invalid.isEmpty();
        }
    }

    private final Session session;

    public SignatureAudit(Session session) {
        this.session = session;
    }

    public Report check() {
        RecordSignatures signatures = new RecordSignatures(session);
        MetadataLog log = session.repository().metadataLog();
        int signed = 0;
        int valid = 0;
        int unchecked = 0;
        List<Invalid> invalid = new ArrayList<>();
        for (ObjectId id : log.ids()) {
            MetaRecord record;
            try {
                record = log.read(id);
            } catch (DsvException e) {
                continue;
            }
            RecordSignatures.Check check = signatures.check(record);
            switch (check.state()) {
                case UNSIGNED -> {
                    continue;
                }
                case VALID -> valid++;
                case UNCHECKED -> unchecked++;
                case INVALID -> invalid.add(new Invalid(id, record.kind(), record.author(), check.detail()));
                default -> throw new IllegalStateException("unhandled state " + check.state());
            }
            signed++;
        }
        Path allowed = signatures.allowedSigners();
        return new Report(signed, valid, unchecked, invalid, allowed, Files.isRegularFile(allowed));
    }
}

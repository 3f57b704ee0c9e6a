package dev.dsv.service;

import dev.dsv.error.DsvException;
import dev.dsv.index.ImageFilter;
import dev.dsv.index.ImageRow;
import dev.dsv.model.ObjectId;
import dev.dsv.store.ObjectState;
import dev.dsv.store.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * {@code dsv verify REV}: checks that every blob, label record and feature vector a commit (or a
 * filtered subset) needs is present and intact, re-hashing each blob. A CI job's quick check of a pinned commit.
 */
public final class VerifyService {
    /** One object of the selection that is not intact, with the dataset path that needs it. */
    public record Finding(String path, String id, String problem) {
    }

    /** The checked commit, counts, and findings. */
    public record Report(ObjectId commit, int images, long bytes, List<Finding> findings) {
        public boolean ok() {
            return findings.isEmpty();
        }
    }

    private final Session session;
    private final Progress progress;

    public VerifyService(Session session, Progress progress) {
        this.session = session;
        this.progress = progress;
    }

    public Report verify(String revision, ImageFilter rawFilter) {
        LsService ls = new LsService(session);
        ImageFilter filter = ls.normalize(rawFilter);
        ObjectId commit = session.resolve(revision);
        ObjectId tree = ls.treeAt(commit.hex());
        List<ImageRow> rows = new ArrayList<>();
        ls.list(tree, filter, rows::add);
        ObjectStore store = session.repository().store();
        List<Finding> findings = new ArrayList<>();
        long bytes = 0;
        progress.start("verify", rows.size());
        for (ImageRow row : rows) {
            ObjectId blob = ObjectId.parse(row.blob());
            ObjectState state = store.state(blob);
            if (state != ObjectState.PRESENT) {
                String reason = store.absentObjects().get(blob);
                findings.add(new Finding(row.path(), row.blob(), state == ObjectState.MISSING ? "missing"
                        : PurgeService.ABSENT_REASON.equals(reason) ? "absent by design: purged" : "absent by design"));
            } else {
                MessageDigest md = DigestUtils.getSha256Digest();
                try (InputStream in = store.openBlob(blob)) {
                    byte[] buf = new byte[1 << 16];
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        md.update(buf, 0, n);
                        bytes += n;
                    }
                    if (!ObjectId.fromBytes(md.digest()).equals(blob)) {
                        findings.add(new Finding(row.path(), row.blob(), "corrupt"));
                    }
                } catch (IOException | DsvException e) {
                    findings.add(new Finding(row.path(), row.blob(), "unreadable"));
                }
            }
            try {
                session.readLabel(ObjectId.parse(row.label()));
            } catch (DsvException e) {
                findings.add(new Finding(row.path(), row.label(), "label record " + e.exitCode().id()));
            }
            for (ObjectId vector : row.features().values()) {
                try {
                    session.readVector(vector);
                } catch (DsvException e) {
                    findings.add(new Finding(row.path(), vector.hex(), "feature vector " + e.exitCode().id()));
                }
            }
            progress.advance(1);
        }
        progress.finish();
        return new Report(commit, rows.size(), bytes, findings);
    }
}

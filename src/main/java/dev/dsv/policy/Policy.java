package dev.dsv.policy;

import dev.dsv.model.CanonicalJson;
import dev.dsv.model.ObjectId;
import java.util.List;
import java.util.Map;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * The promotion policy of a branch: the gates a promotion into it must pass. Stored as a metadata
 * log record (kind "policy"), so a policy is a fact about a branch, never part of a commit. Its
 * version is the SHA-256 of its canonical form, which promotion records pin.
 */
public record Policy(List<String> gates) {
    /** The gates every new repository starts with. */
    public static final Policy DEFAULT = new Policy(List.of("verified", "known-vocabulary", "provenance-complete"));

    public Policy {
        gates = List.copyOf(gates);
    }

    public Map<String, Object> toCanonical() {
        Map<String, Object> m = CanonicalJson.newObject();
        m.put("gates", gates);
        return m;
    }

    /** Returns the policy version: the SHA-256 of its canonical encoding. */
    public ObjectId version() {
        return ObjectId.fromBytes(DigestUtils.sha256(CanonicalJson.encode(toCanonical())));
    }
}

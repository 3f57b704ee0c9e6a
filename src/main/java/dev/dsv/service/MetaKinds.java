package dev.dsv.service;

/** The kinds of metadata log records that dsv writes, and the keys of their bodies. */
public final class MetaKinds {
    /** A commit marked verified: subject is the commit, author the verifier. */
    public static final String VERIFICATION = "verification";
    /** A registered model: subject is its training data commit. */
    public static final String MODEL = "model";
    /** A rollback: subject is the new commit, body names the rolled-back commit and the reason. */
    public static final String ROLLBACK = "rollback";
    /** A promotion into a protected branch: subject is the new branch head. */
    public static final String PROMOTION = "promotion";

    private MetaKinds() {
    }
}

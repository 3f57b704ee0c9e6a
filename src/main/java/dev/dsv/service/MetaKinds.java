package dev.dsv.service;

/** The kinds of metadata log records that dsv writes, and the keys of their bodies. */
public final class MetaKinds {
    /**
     * A commit marked verified by the retired {@code dsv verify mark}: subject is the commit,
     * author the verifier. Old records stay readable; the verified gate now derives its status
     * from review samples and decisions.
     */
    public static final String VERIFICATION = "verification";
    /** A registered model: subject is its training data commit. */
    public static final String MODEL = "model";
    /** A rollback: subject is the new commit, body names the rolled-back commit and the reason. */
    public static final String ROLLBACK = "rollback";
    /** A promotion into a protected branch: subject is the new branch head. */
    public static final String PROMOTION = "promotion";
    /** A state of one person (roles, standing, rotation); the latest record per person is current. */
    public static final String PERSON = "person";
    /** A drawn review sample: which label records of a revision go to verifiers. */
    public static final String REVIEW_SAMPLE = "review-sample";
    /** A verifier's decision (pass, reject, relabel) on one sampled label record. */
    public static final String REVIEW_DECISION = "review-decision";
    /** A gold set import: the expert labels kept and the contested images left out. */
    public static final String GOLD_SET = "gold-set";
    /** A labeler's scored answers on the gold set for one month. */
    public static final String GOLD_TEST = "gold-test";
    /** A vocabulary change (rename, merge, split of defect types) applied across a library. */
    public static final String VOCABULARY_CHANGE = "vocabulary-change";
    /** A labeling guideline version (the document lives in the repository as a blob). */
    public static final String GUIDELINE = "guideline";
    /** A plausibility reference profile per cell type, computed from real images at a revision. */
    public static final String PLAUSIBILITY_PROFILE = "plausibility-profile";
    /**
     * A label record that must be reviewed in full, because its labeler was paused when it was
     * made: subject is the label record, body names the {@code labeler} and the {@code reason}.
     */
    public static final String FULL_REVIEW = "full-review";
    /** An explicit override recorded when a user stages images a check rejected. */
    public static final String OVERRIDE = "override";

    /**
     * A finished {@code dsv export}: subject is the exported commit, author who ran it, body the
     * filter, counts, format and the target folder's name.
     */
    public static final String EXPORT = "export";
    /**
     * A purged image blob: subject is the blob, body the {@code reason} and the dataset
     * {@code paths} named when it was purged. The blob is recorded absent by design as purged.
     */
    public static final String PURGE = "purge";

    private MetaKinds() {
    }
}

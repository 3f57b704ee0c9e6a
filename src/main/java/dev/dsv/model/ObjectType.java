package dev.dsv.model;

/** The type of a stored object, with its one-byte code in pack files. */
public enum ObjectType {
    BLOB(0, "blob"),
    TREE(1, "tree"),
    LABEL(2, "label"),
    COMMIT(3, "commit"),
    META(4, "meta"),
    /** A feature vector; only repositories of format 3 or later hold it. */
    VECTOR(5, "vector");

    private final int code;
    private final String jsonName;

    ObjectType(int code, String jsonName) {
        this.code = code;
        this.jsonName = jsonName;
    }

    public int code() {
        return code;
    }

    /** Returns the value of the {@code type} field in the canonical encoding. */
    public String jsonName() {
        return jsonName;
    }

    /** Returns the type with the given pack code, or null for an unknown code. */
    public static ObjectType fromCode(int code) {
        for (ObjectType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }
}

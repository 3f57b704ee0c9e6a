package dev.dsv.store;

/** Whether a store holds an object. */
public enum ObjectState {
    /** The store holds the object's bytes. */
    PRESENT,
    /** The repository knows the object and deliberately does not hold it (recorded, not damage). */
    ABSENT_BY_DESIGN,
    /** The object should be here and is not: damage that fsck reports. */
    MISSING
}

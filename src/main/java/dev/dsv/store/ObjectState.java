package dev.dsv.store;

/** The presence of an object in a store. */
public enum ObjectState {
    /** The store contains the object's bytes. */
    PRESENT,
    /** The repository records the object as deliberately not stored here (not damage). */
    ABSENT_BY_DESIGN,
    /** The object should be here and is not: damage that fsck reports. */
    MISSING
}

package dev.dsv.repo;

import dev.dsv.model.ObjectId;

/**
 * The staging area: the tree the next commit records, and the commit it was started from
 * ({@code base}, null in a repository without commits). Stored in {@code .dsv/STAGE}.
 */
public record Stage(ObjectId base, ObjectId tree) {
}

package dev.dsv.error;

/**
 * One rejected input item: a message key with its arguments, such as a labels row without an image.
 * Several problems travel together in a {@link DsvException} so that a user fixes them in one pass.
 */
public record Problem(String messageKey, Object... arguments) {
}

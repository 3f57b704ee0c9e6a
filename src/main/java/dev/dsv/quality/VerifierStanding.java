package dev.dsv.quality;

import java.time.LocalDate;

/**
 * A person's standing as a verifier on one day, under the rotation settings of a policy.
 *
 * @param state OK, DUE, EXPIRED, or NOT_VERIFIER for a person unknown or without the verifier role
 *     on that day
 * @param day the day judged, in the library time zone
 * @param rotationStart the start of the rotation period in force that day, or null
 * @param dueOn the first day on which the verifier is due to rotate, or null
 * @param expiresAfter the last day of grace; from the next day on the standing is EXPIRED, or null
 * @param rule the rule applied, with its settings and dates, for messages and reports
 */
public record VerifierStanding(String personId, State state, LocalDate day, LocalDate rotationStart, LocalDate dueOn,
                               LocalDate expiresAfter, String rule) {

    /** The standing of a verifier. */
    public enum State {
        /** The rotation period has not ended. */
        OK,
        /** The rotation period has ended, but the grace days have not. */
        DUE,
        /** More than the grace days have passed since the rotation was due. */
        EXPIRED,
        /** The person is not registered, or does not hold the verifier role on that day. */
        NOT_VERIFIER;

        public String jsonName() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    /** Returns true when the person may review: a verifier whose standing is OK or DUE. */
    public boolean mayReview() {
        return state == State.OK || state == State.DUE;
    }
}

package dev.dsv.trust;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.model.CanonicalJson;
import dev.dsv.model.MetaRecord;
import dev.dsv.policy.Policy;
import dev.dsv.service.ConfigService;
import dev.dsv.service.Session;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Signs metadata records and checks their signatures. A signature lives in the record's body
 * under {@link #SIGNATURE_KEY} and covers the canonical bytes of the same record without that key,
 * so kind, subject, author, time and every other body key are signed. A signature is valid when
 * the allowed-signers file lists its key for the record's author.
 */
public final class RecordSignatures {
    /** The body key of a record's signature. */
    public static final String SIGNATURE_KEY = "signature";

    /** The state of one record's signature. */
    public enum State {
        /** The record carries no signature. */
        UNSIGNED,
        /** The signature is intact and the allowed signers list its key for the record's author. */
        VALID,
        /** The signature is intact, but no allowed-signers file exists to say whose key it is. */
        UNCHECKED,
        /** The signature does not verify: the record changed, or the key is not the author's. */
        INVALID
    }

    /** The state of one record's signature, with the checking program's reason. */
    public record Check(State state, String detail) {
    }

    private final Path libraryDir;
    private final String keyFile;
    private final String format;
    private final Path allowedSigners;
    private final SshKeygen keygen;

    /** Reads the signing settings of a clone ({@code signing.*} in {@code .dsv/config.json}). */
    public RecordSignatures(Session session) {
        this.libraryDir = session.repository().dsvDir().getParent();
        ConfigService config = new ConfigService(session);
        this.keyFile = text(config, ConfigService.SIGNING_KEY);
        this.format = text(config, ConfigService.SIGNING_FORMAT);
        this.allowedSigners = libraryDir.resolve(text(config, ConfigService.SIGNING_ALLOWED_SIGNERS));
        this.keygen = new SshKeygen(text(config, ConfigService.SIGNING_PROGRAM));
    }

    private static String text(ConfigService config, String key) {
        var value = config.get(key).value();
        return value == null || value.isNull() ? null : value.asText();
    }

    /** Returns whether this clone has a signing key configured. */
    public boolean canSign() {
        return keyFile != null;
    }

    /** Returns the allowed-signers file this clone checks signatures against. */
    public Path allowedSigners() {
        return allowedSigners;
    }

    /** Returns the canonical bytes a record's signature covers: the record without its signature. */
    public static byte[] signedBytes(MetaRecord record) {
        return unsigned(record).encode();
    }

    /** Returns the record without its signature. */
    public static MetaRecord unsigned(MetaRecord record) {
        if (record.body() == null || !record.body().containsKey(SIGNATURE_KEY)) {
            return record;
        }
        Map<String, Object> body = new LinkedHashMap<>(record.body());
        body.remove(SIGNATURE_KEY);
        return new MetaRecord(record.kind(), record.subject(), record.author(), record.time(), body);
    }

    /** Signs a record with the configured key when there is one; returns it unchanged otherwise. */
    public MetaRecord signIfConfigured(MetaRecord record) {
        return canSign() ? sign(record) : record;
    }

    /** Returns the record with a signature by the configured key added to its body. */
    public MetaRecord sign(MetaRecord record) {
        if (keyFile == null) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.signing.noKey", ConfigService.SIGNING_KEY);
        }
        MetaRecord plain = unsigned(record);
        Path key = libraryDir.resolve(keyFile);
        String signature = keygen.sign(plain.encode(), key);
        Map<String, Object> sig = CanonicalJson.newObject();
        sig.put("format", format);
        sig.put("namespace", SshKeygen.NAMESPACE);
        sig.put("signature", signature);
        Map<String, Object> body = new LinkedHashMap<>(plain.body() == null ? Map.of() : plain.body());
        body.put(SIGNATURE_KEY, sig);
        return new MetaRecord(plain.kind(), plain.subject(), plain.author(), plain.time(), body);
    }

    /** Checks a record's signature against the allowed signers, or only for integrity when there is no such file. */
    public Check check(MetaRecord record) {
        Object raw = record.body() == null ? null : record.body().get(SIGNATURE_KEY);
        if (raw == null) {
            return new Check(State.UNSIGNED, "");
        }
        if (!(raw instanceof Map<?, ?> sig) || !"ssh".equals(sig.get("format"))
                || !SshKeygen.NAMESPACE.equals(sig.get("namespace")) || !(sig.get("signature") instanceof String text)) {
            return new Check(State.INVALID, "not an ssh signature in namespace " + SshKeygen.NAMESPACE);
        }
        byte[] message = signedBytes(record);
        if (!Files.isRegularFile(allowedSigners)) {
            SshKeygen.Outcome intact = keygen.checkIntact(message, text);
            return new Check(intact.valid() ? State.UNCHECKED : State.INVALID, intact.detail());
        }
        SshKeygen.Outcome outcome = keygen.verify(message, text, allowedSigners, record.author());
        return new Check(outcome.valid() ? State.VALID : State.INVALID, outcome.detail());
    }

    /** Returns whether the policy has {@code signing.signatures} set to {@code required}. */
    public static boolean required(Policy policy) {
        return "required".equals(policy.text(Policy.SIGNATURES));
    }

    /**
     * Throws exit code 12 unless the policy accepts the record: with {@code signing.signatures}
     * {@code required}, the record must carry a signature that is valid for its author.
     */
    public void requireIfPolicy(Policy policy, MetaRecord record, String branch) {
        if (!required(policy)) {
            return;
        }
        if (!record.body().containsKey(SIGNATURE_KEY)) {
            throw new DsvException(ExitCode.PROTECTED, "error.signing.required", record.kind(), branch,
                    ConfigService.SIGNING_KEY);
        }
        Check check = check(record);
        if (check.state() != State.VALID) {
            throw new DsvException(ExitCode.PROTECTED, "error.signing.notAllowed", record.kind(), branch,
                    record.author(), allowedSigners, check.detail());
        }
    }
}

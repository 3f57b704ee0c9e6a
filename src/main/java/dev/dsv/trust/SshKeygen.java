package dev.dsv.trust;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.store.StoreIOException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Makes and checks SSH signatures (OpenSSH's {@code SSHSIG} format) by running
 * {@code ssh-keygen -Y}, as git does for {@code gpg.format=ssh}. dsv parses no key files: the
 * program reads the key, or uses {@code ssh-agent} when given a public key.
 */
public final class SshKeygen {
    /** The namespace of every dsv signature, so that a signature made for git or a file cannot be replayed. */
    public static final String NAMESPACE = "dsv-meta";
    /** How long one signing or checking run may take, in seconds, before it counts as failed. */
    static final long TIMEOUT_SECONDS = 120;

    /** The result of a check: whether it passed, and the program's own line saying why. */
    public record Outcome(boolean valid, String detail) {
    }

    private final String program;

    public SshKeygen(String program) {
        this.program = program;
    }

    /** Signs {@code message} with {@code key}; returns the armored signature text. */
    public String sign(byte[] message, Path key) {
        Run run = run(message, null, List.of("-Y", "sign", "-f", key.toString(), "-n", NAMESPACE));
        if (run.exitCode() != 0 || !run.out().startsWith("-----BEGIN SSH SIGNATURE-----")) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.signing.signFailed", key, run.detail());
        }
        return run.out();
    }

    /**
     * Checks that {@code signature} signs {@code message} with a key that {@code allowedSigners}
     * lists for {@code principal}.
     */
    public Outcome verify(byte[] message, String signature, Path allowedSigners, String principal) {
        Run run = run(message, signature, List.of("-Y", "verify", "-f", allowedSigners.toString(), "-I", principal,
                "-n", NAMESPACE));
        return new Outcome(run.exitCode() == 0, run.detail());
    }

    /** Checks that {@code signature} signs {@code message} with the key it names, without checking whose key it is. */
    public Outcome checkIntact(byte[] message, String signature) {
        Run run = run(message, signature, List.of("-Y", "check-novalidate", "-n", NAMESPACE));
        return new Outcome(run.exitCode() == 0, run.detail());
    }

    private record Run(int exitCode, String out, String err) {
        /** Returns the program's last non-empty line of output, for messages. */
        String detail() {
            String text = (err.isBlank() ? out : err).strip();
            int cut = text.lastIndexOf('\n');
            return cut < 0 ? text : text.substring(cut + 1);
        }
    }

    private Run run(byte[] message, String signature, List<String> args) {
        Path dir;
        try {
            dir = Files.createTempDirectory("dsv-sig-");
        } catch (IOException e) {
            throw StoreIOException.of(Path.of(System.getProperty("java.io.tmpdir")), e);
        }
        try {
            Path input = dir.resolve("message");
            Path out = dir.resolve("out");
            Path err = dir.resolve("err");
            Files.write(input, message);
            List<String> command = new ArrayList<>();
            command.add(program);
            command.addAll(args);
            if (signature != null) {
                Path sig = dir.resolve("signature");
                Files.writeString(sig, signature, StandardCharsets.US_ASCII);
                command.add("-s");
                command.add(sig.toString());
            }
            Process process;
            try {
                process = new ProcessBuilder(command).redirectInput(input.toFile()).redirectOutput(out.toFile())
                        .redirectError(err.toFile()).start();
            } catch (IOException e) {
                throw new DsvException(ExitCode.INVALID_INPUT, e, "error.signing.program", program, e.getMessage());
            }
            boolean done = process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (!done) {
                process.destroyForcibly();
                throw new DsvException(ExitCode.INVALID_INPUT, "error.signing.timeout", program,
                        String.valueOf(TIMEOUT_SECONDS));
            }
            return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw StoreIOException.of(dir, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.signing.timeout", program,
                    String.valueOf(TIMEOUT_SECONDS));
        } finally {
            deleteQuietly(dir);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // A leftover folder under the temporary directory contains no secret, only a message and its signature.
        }
    }
}

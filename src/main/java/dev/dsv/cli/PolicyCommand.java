package dev.dsv.cli;

import dev.dsv.policy.Gates;
import dev.dsv.policy.Policy;
import dev.dsv.service.PolicyService;
import dev.dsv.service.Session;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dsv policy [--branch B] [--set FILE]}: shows or sets the promote gates and settings of a branch. */
@Command(name = "policy")
final class PolicyCommand extends BaseCommand {
    @Option(names = "--branch", paramLabel = "BRANCH", descriptionKey = "policy.branch")
    String branch;

    @Option(names = "--set", paramLabel = "FILE", descriptionKey = "policy.set")
    Path file;

    @Override
    int run() {
        try (Session session = openSession()) {
            String b = branch != null ? branch : session.repository().currentBranch();
            PolicyService service = new PolicyService(session);
            service.requireBranch(b);
            Policy p = file == null ? service.inForce(b) : service.set(b, rootCommand().workingDirectory().resolve(file));
            if (out().json()) {
                Map<String, Object> doc = Output.document();
                doc.put("branch", b);
                doc.put("version", p.version().hex());
                doc.put("gates", p.gates());
                doc.put("known_gates", Gates.names());
                doc.put("settings", p.effectiveSettings());
                doc.put("changed_settings", p.settings().keySet());
                out().printJson(doc);
            } else {
                out().println("policy.show", b, p.version().abbreviate(12), String.join(", ", p.gates()));
                p.effectiveSettings().forEach((key, value) -> out().println(
                        p.settings().containsKey(key) ? "policy.setting" : "policy.settingDefault", key, String.valueOf(value)));
            }
        }
        return 0;
    }
}

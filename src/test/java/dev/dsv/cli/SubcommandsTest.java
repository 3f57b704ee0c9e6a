package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

class SubcommandsTest {
    @Test
    void namesMatchAnnotations() {
        for (Map.Entry<String, Class<?>> e : Subcommands.ALL.entrySet()) {
            Command command = e.getValue().getAnnotation(Command.class);
            assertNotNull(command, e.getValue().getName());
            assertEquals(e.getKey(), command.name(), e.getValue().getName());
        }
    }

    @Test
    void sameListAsDeclaredTree() {
        Command tree = DsvCommandTree.class.getAnnotation(Command.class);
        assertEquals(List.of(tree.subcommands()), List.copyOf(Subcommands.ALL.values()));
    }

    @Test
    void namedSubcommandAlone() {
        assertEquals(Set.of("add"), Subcommands.needed(new String[] {"add", "images", "--labels", "l.csv"}));
        assertEquals(Set.of("status"), Subcommands.needed(new String[] {"-C", "lib", "--json", "status"}));
        assertEquals(Set.of("log"), Subcommands.needed(new String[] {"--lock-timeout", "5", "-qC", "lib", "log"}));
        assertEquals(Set.of("review"), Subcommands.needed(new String[] {"review", "sample", "--help"}));
    }

    @Test
    void versionNeedsNone() {
        assertEquals(Set.of(), Subcommands.needed(new String[] {"--version"}));
        assertEquals(Set.of(), Subcommands.needed(new String[] {"-C", "status", "-V"}));
    }

    @Test
    void wholeTreeCases() {
        Set<String> all = Subcommands.ALL.keySet();
        assertEquals(all, Subcommands.needed(new String[] {}));
        assertEquals(all, Subcommands.needed(new String[] {"--help"}));
        assertEquals(all, Subcommands.needed(new String[] {"-qh", "add"}));
        assertEquals(all, Subcommands.needed(new String[] {"--version", "--help"}));
        assertEquals(all, Subcommands.needed(new String[] {"help", "add"}));
        assertEquals(all, Subcommands.needed(new String[] {"completion"}));
        assertEquals(all, Subcommands.needed(new String[] {"stauts"}));
        assertEquals(all, Subcommands.needed(new String[] {"--bogus"}));
    }

    @Test
    void helpSameAsFullTree() {
        for (String name : Subcommands.ALL.keySet()) {
            CommandLine alone = Subcommands.forArgs(new String[] {name});
            CommandLine full = Subcommands.full();
            assertEquals(full.getSubcommands().get(name).getUsageMessage(),
                    alone.getSubcommands().get(name).getUsageMessage(), name);
        }
    }
}

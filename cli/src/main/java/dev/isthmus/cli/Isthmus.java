package dev.isthmus.cli;

import dev.isthmus.cli.certs.CertsCommand;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code isthmus} command. */
@Command(name = "isthmus",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Connects Kubernetes clusters through mutually authenticated gateways.",
        subcommands = {CertsCommand.class, CommandLine.HelpCommand.class})
public final class Isthmus {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with Isthmus's error handling: a message that says what to do, not a stack trace. */
    public static CommandLine commandLine() {
        return new CommandLine(new Isthmus())
                .setExecutionExceptionHandler(new Failures())
                .registerConverter(Duration.class, GoDuration::convert);
    }
}

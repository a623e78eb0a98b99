package dev.isthmus.cli;

import dev.isthmus.cli.certs.CertsCommand;
import dev.isthmus.cli.demo.DemoCommand;
import dev.isthmus.cli.gateway.GatewayCommand;
import dev.isthmus.cli.identity.IdentityCommand;
import java.time.Duration;
import java.util.logging.Level;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code isthmus} command. */
@Command(name = "isthmus",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Connects Kubernetes clusters through mutually authenticated gateways.",
        subcommands = {CertsCommand.class, IdentityCommand.class, GatewayCommand.class, DemoCommand.class,
            CommandLine.HelpCommand.class})
public final class Isthmus {

    public static void main(String[] args) {
        boolean quiet = args.length > 0 && (args[0].equals("demo") || args[0].equals("certs"));
        Logging.configure(quiet ? Level.WARNING : Level.INFO);
        System.exit(commandLine().execute(args));
    }

    /** The command line with Isthmus's error handling: a message that says what to do, not a stack trace. */
    public static CommandLine commandLine() {
        return new CommandLine(new Isthmus())
                .setExecutionExceptionHandler(new Failures())
                .registerConverter(Duration.class, GoDuration::convert);
    }
}

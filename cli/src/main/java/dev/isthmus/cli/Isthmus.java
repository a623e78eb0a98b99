package dev.isthmus.cli;

import dev.isthmus.cli.certs.CertsCommand;
import dev.isthmus.cli.check.CheckCommand;
import dev.isthmus.cli.completion.CompletionCommand;
import dev.isthmus.cli.demo.DemoCommand;
import dev.isthmus.cli.gateway.GatewayCommand;
import dev.isthmus.cli.identity.IdentityCommand;
import dev.isthmus.cli.install.InstallCommand;
import dev.isthmus.cli.install.UninstallCommand;
import dev.isthmus.cli.kube.KubeOptions;
import dev.isthmus.cli.mirror.MirrorCommand;
import dev.isthmus.cli.multicluster.MulticlusterCommand;
import dev.isthmus.cli.stat.StatCommand;
import dev.isthmus.cli.tap.TapCommand;
import java.time.Duration;
import java.util.logging.Level;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The {@code isthmus} command. */
@Command(name = "isthmus",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Connects Kubernetes clusters through mutually authenticated gateways.",
        subcommands = {CertsCommand.class, IdentityCommand.class, GatewayCommand.class, DemoCommand.class,
            InstallCommand.class, UninstallCommand.class, MulticlusterCommand.class, CheckCommand.class, StatCommand.class, TapCommand.class,
            CompletionCommand.class, MirrorCommand.class,
            CommandLine.HelpCommand.class})
public final class Isthmus {

    /** --kubeconfig, --context, -n: global, inherited by every subcommand. */
    @Mixin(name = KubeOptions.MIXIN_NAME) KubeOptions kube;

    public static void main(String[] args) {
        boolean quiet = java.util.Set.of("demo", "certs", "install", "uninstall", "multicluster", "mc", "completion",
                "check", "stat")
                .contains(KubeOptions.commandName(args));
        Logging.configure(quiet ? Level.WARNING : Level.INFO);
        System.exit(commandLine().execute(args));
    }

    /** The command line with Isthmus's error handling: a message that says what to do, not a stack trace. */
    public static CommandLine commandLine() {
        return new CommandLine(new Isthmus())
                .setAllowSubcommandsAsOptionParameters(true) // --context install: a context may share a command's name
                .setExecutionExceptionHandler(new Failures())
                .registerConverter(Duration.class, GoDuration::convert);
    }
}

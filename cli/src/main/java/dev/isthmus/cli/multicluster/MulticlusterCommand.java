package dev.isthmus.cli.multicluster;

import picocli.CommandLine.Command;

/** {@code isthmus multicluster}: the gateway, links between clusters, and the access each side grants. */
@Command(name = "multicluster",
        aliases = "mc",
        mixinStandardHelpOptions = true,
        description = "Install the multicluster gateway, link clusters, and manage their access.",
        subcommands = {MulticlusterInstallCommand.class, AllowCommand.class, MulticlusterUninstallCommand.class,
            LinkCommand.class, UnlinkCommand.class, GatewaysCommand.class, MulticlusterCheckCommand.class})
public final class MulticlusterCommand {}

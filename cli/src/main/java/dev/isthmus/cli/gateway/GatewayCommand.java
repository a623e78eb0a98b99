package dev.isthmus.cli.gateway;

import picocli.CommandLine.Command;

/** {@code isthmus gateway}: the per-cluster gateway. */
@Command(name = "gateway", mixinStandardHelpOptions = true,
        description = "The gateway: terminates mTLS from peer clusters and forwards to exported services.",
        subcommands = {GatewayRunCommand.class})
public final class GatewayCommand {}

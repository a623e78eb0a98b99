package dev.isthmus.cli.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.cli.Isthmus;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MirrorRunCommandTest {

    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine line = Isthmus.commandLine();
        line.setErr(new PrintWriter(err));
        line.setOut(new PrintWriter(new StringWriter()));
        return line.execute(args);
    }

    @Test
    void isRegisteredWithItsFlags() {
        CommandLine run = Isthmus.commandLine().getSubcommands().get("mirror").getSubcommands().get("run");
        assertThat(run.getCommandSpec().optionsMap()).containsKeys("--link", "--port-range", "--repair-period",
                "--gateway-admin-url", "--admin-port", "--kubeconfig", "--context", "--namespace");
    }

    @Test
    void theLinkIsRequired() {
        assertThat(run("mirror", "run")).isNotZero();
        assertThat(err.toString()).contains("--link");
    }

    @Test
    void aBadPortRangeIsRefusedBeforeAnyClusterIsContacted() {
        assertThat(run("mirror", "run", "--link", "east", "--port-range", "15999-14000")).isNotZero();
        assertThat(err.toString()).contains("--port-range").contains("expected: first-last");
    }

    @Test
    void aBadRepairPeriodNamesTheFlag() {
        assertThat(run("mirror", "run", "--link", "east", "--repair-period", "soon")).isNotZero();
        assertThat(err.toString()).contains("--repair-period");
    }
}

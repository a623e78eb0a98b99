package dev.isthmus.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The {@code warmup} mode measures, by default, the gateway as its Deployment runs it: its JVM flags and its warm-up. */
class ManifestFlagsTest {

    @Test
    void theWarmupModesDefaultFlagsAreTheDeploymentsJavaToolOptions() throws Exception {
        String deployment = Files.readString(Path.of("..", "deploy", "multicluster", "gateway.yaml"));
        Matcher options = Pattern.compile("- name: JAVA_TOOL_OPTIONS\\s+value: >-\\n((?:\\s+\\S.*\\n)+?)\\s+\\w+:").matcher(deployment);
        assertThat(options.find()).as("JAVA_TOOL_OPTIONS in deploy/multicluster/gateway.yaml").isTrue();
        String folded = options.group(1).strip().replaceAll("\\s+", " ");

        assertThat(GatewayProcess.MANIFEST_JVM).isEqualTo(folded);
    }

    @Test
    void thePeerBenchmarkReadsTheSameFlagsFromTheManifest() throws Exception {
        // run.sh reads JAVA_TOOL_OPTIONS with awk: its function, run on its own, must read what this harness holds.
        Process bash = new ProcessBuilder("bash", "-c",
                "root=..; eval \"$(sed -n '/^manifest_jvm() {/,/^}/p' peer/run.sh)\"; manifest_jvm")
                .redirectErrorStream(true).start();
        String printed = new String(bash.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();

        assertThat(bash.waitFor()).as(printed).isZero();
        assertThat(printed).isEqualTo(GatewayProcess.MANIFEST_JVM);
    }

    @Test
    void theWarmupModesDefaultGatewayWarmupIsTheDeploymentsArgument() throws Exception {
        String deployment = Files.readString(Path.of("..", "deploy", "multicluster", "gateway.yaml"));
        assertThat(deployment).contains("- --warmup=" + WarmupMode.MANIFEST_WARMUP_SECONDS + "s\n");
    }
}

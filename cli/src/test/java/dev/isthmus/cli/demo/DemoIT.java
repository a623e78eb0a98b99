package dev.isthmus.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.cli.Isthmus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The README's first command, run in-process: each step's outcome, and nothing left running afterwards. */
class DemoIT {

    @Test
    void walksThroughTheGuideAndLeavesNothingRunning() {
        Set<String> threadsBefore = liveThreadNames();
        StringWriter out = new StringWriter();
        CommandLine command = Isthmus.commandLine();
        command.setOut(new PrintWriter(out, true));

        assertThat(command.execute("demo")).isZero();

        String text = out.toString();
        assertThat(text).contains("==> 1. A trust anchor shared by both clusters");
        assertThat(text).containsPattern("east: issuer at https://127\\.0\\.0\\.1:\\d+ signed spiffe://cluster\\.local/ns/isthmus-multicluster/sa/isthmus-gateway\\n");
        assertThat(text).containsPattern("curl http://podinfo-east:9898/ \\(plain HTTP in west\\) -> 200 \\{\"hostname\": \"podinfo-east-5d8c7\", \"message\": \"greetings from east\"");
        assertThat(text).as("both gateways have the manifests' identity")
                .containsPattern("west: issuer at https://127\\.0\\.0\\.1:\\d+ signed spiffe://cluster\\.local/ns/isthmus-multicluster/sa/isthmus-gateway\\n")
                .doesNotContain("isthmus-gateway-west");
        Matcher ids = Pattern.compile("by=(_isthmus-[a-z2-7]{12}); east's gateway the second, by=(_isthmus-[a-z2-7]{12}),").matcher(text);
        assertThat(ids.find()).as("the demo names both installation ids").isTrue();
        assertThat(ids.group(1)).isNotEqualTo(ids.group(2));
        assertThat(text).as("Forwarded names both gateways, west's identity as east's peer")
                .contains("by=" + ids.group(1) + ";for=127.0.0.1")
                .contains("by=" + ids.group(2) + ";for=\\\"spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway\\\"");
        // In TLS 1.3 the client finishes first; the refusal arrives as an alert or as a close, whichever wins.
        assertThat(text).containsPattern("a client without a certificate -> refused: .*(CERTIFICATE_REQUIRED|closed the connection)");
        assertThat(text).contains("a client whose certificate chains to another anchor -> refused");
        assertThat(text).contains("west asking for a service east did not export -> 404");
        assertThat(text).containsPattern("100 requests to podinfo \\(127\\.0\\.0\\.1:\\d+\\): \\{east=\\d+, west=\\d+\\}");
        assertThat(text).contains("west's probe marked link east dead").contains("100 requests to podinfo: {west=100}");
        assertThat(text).contains("link east alive again");
        assertThat(text).as("isthmus tap on west: west's client's requests leave for east over mTLS")
                .containsPattern("end proxy=out src=127\\.0\\.0\\.1:\\d+ dst=podinfo-east backend=east tls=true :method=GET :path=/"
                        + " :status=200 latency=[\\d.]+ms bytes=0/\\d+ gateway=http://127\\.0\\.0\\.1:\\d+\\n");
        assertThat(text).as("isthmus tap on east: they arrive from west's gateway identity over mTLS")
                .containsPattern("end proxy=in src=spiffe://cluster\\.local/ns/isthmus-multicluster/sa/isthmus-gateway"
                        + " dst=podinfo\\.test\\.svc\\.cluster\\.local:9898 backend=local tls=true :method=GET :path=/ :status=200");
        assertThat(text).doesNotContain("‼");
        assertThat(text).as("the stat table, computed as isthmus stat does")
                .containsPattern("SERVICE\\s+SUCCESS\\s+RPS\\s+LATENCY_P50\\s+LATENCY_P95\\s+LATENCY_P99\\s+TLS")
                .containsPattern("podinfo\\.test\\.svc\\.cluster\\.local:9898\\s+100\\.00%\\s+[\\d.]+rps\\s+[\\d.]+ms\\s+[\\d.]+ms\\s+[\\d.]+ms\\s+100%")
                .containsPattern("podinfo-east\\s+100\\.00%\\s+[\\d.]+rps\\s+.*\\s+100%");
        assertThat(text).as("isthmus stat trafficsplit: podinfo's split, a leaf in west and one in east")
                .containsPattern("APEX\\s+LEAF\\s+SHARE\\s+SUCCESS\\s+RPS\\s+LATENCY_P50\\s+LATENCY_P95\\s+LATENCY_P99\\s+TLS")
                .containsPattern("\\n    podinfo\\s+east\\s+\\d+%\\s+[\\d.]+%\\s+[\\d.]+rps\\s+[\\d.]+ms\\s+[\\d.]+ms\\s+[\\d.]+ms\\s+100%\\n")
                .containsPattern("\\n    podinfo\\s+local\\s+\\d+%\\s+100\\.00%\\s+[\\d.]+rps\\s+[\\d.]+ms\\s+[\\d.]+ms\\s+[\\d.]+ms\\s+0%\\n");
        assertThat(text).as("isthmus stat links").containsPattern("LINK\\s+REQUESTS\\s+SUCCESS\\s+RPS\\s+LATENCY_P50\\s+LATENCY_P99\\s+TLS")
                .containsPattern("\\n    east\\s+\\d+\\s+[\\d.]+%\\s+[\\d.]+rps\\s+[\\d.]+ms\\s+[\\d.]+ms\\s+100%\\n");
        assertThat(text).containsPattern("no_client_certificate\\s+1").containsPattern("untrusted_certificate\\s+1")
                .containsPattern("not_exported\\s+1");

        // JVM-wide threads that outlive any one user by design; ACCP's cleaner starts with the first native signature.
        assertThat(liveThreadNames().stream().filter(name -> !threadsBefore.contains(name))
                .filter(name -> !name.startsWith("ForkJoinPool") && !name.startsWith("globalEventExecutor")
                        && !name.startsWith("HttpClient") && !name.startsWith("process reaper")
                        && !name.equals("Native reference cleanup thread"))
                .collect(Collectors.toSet()))
                .as("threads the demo left behind").isEmpty();
    }

    private static Set<String> liveThreadNames() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .collect(Collectors.toSet());
    }
}

package dev.isthmus.cli.stat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The text format as Micrometer writes it, and every way a body that is not it must fail: by line, with the expected form. */
class PrometheusTextTest {

    @Test
    void readsSamplesCommentsAndSpecialValues() {
        List<Sample> samples = PrometheusText.parse("""
                # HELP isthmus_gateway_requests_total HTTP requests through the gateway
                # TYPE isthmus_gateway_requests_total counter
                isthmus_gateway_requests_total{peer="spiffe://x",status_class="2xx",target="a:80",} 3.0

                up 1 1700000000000
                nan_gauge NaN
                inf_gauge +Inf
                minus_inf_gauge -Inf
                tabbed\t{ a = "1" }\t2e3\r
                with_exemplar_total 5 # {trace_id="abc"} 1.0
                # EOF
                """, "test");

        assertThat(samples).hasSize(7);
        assertThat(samples.get(0).labels()).isEqualTo(Map.of("peer", "spiffe://x", "status_class", "2xx", "target", "a:80"));
        assertThat(samples.get(0).value()).isEqualTo(3.0);
        assertThat(samples.get(0).line()).isEqualTo(3);
        assertThat(samples.get(1).value()).isEqualTo(1.0);
        assertThat(samples.get(2).value()).isNaN();
        assertThat(samples.get(3).value()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(samples.get(4).value()).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(samples.get(5).labels()).containsEntry("a", "1");
        assertThat(samples.get(5).value()).isEqualTo(2000.0);
        assertThat(samples.get(6).value()).isEqualTo(5.0);
    }

    @Test
    void unescapesLabelValues() {
        Sample sample = PrometheusText.parse("m{path=\"C:\\\\dir\",quote=\"say \\\"hi\\\"\",nl=\"a\\nb\",brace=\"}{,=\"} 1\n", "test").get(0);

        assertThat(sample.label("path")).isEqualTo("C:\\dir");
        assertThat(sample.label("quote")).isEqualTo("say \"hi\"");
        assertThat(sample.label("nl")).isEqualTo("a\nb");
        assertThat(sample.label("brace")).isEqualTo("}{,=");
    }

    @Test
    void emptyBodyHasNoSamples() {
        assertThat(PrometheusText.parse("", "test")).isEmpty();
        assertThat(PrometheusText.parse("\n\n# just a comment\n", "test")).isEmpty();
    }

    @Test
    void garbageFailsWithTheLineAndTheExpectedForm() {
        assertFails("ok 1\n<html><body>Not Found</body></html>\n",
                "http://gw line 2: not a sample, comment or blank line (expected: <metric name>{<label>=\"<value>\",…} <value>): <html>");
        assertFails("m{a=\"1\"}\n", "line 1: no value after m{a=1} (expected: a number, NaN, +Inf or -Inf)");
        assertFails("m one\n", "line 1: 'one' is not a sample value (expected: a number, NaN, +Inf or -Inf)");
        assertFails("m 1.0d\n", "'1.0d' is not a sample value");
        assertFails("m 0x10\n", "'0x10' is not a sample value");
        assertFails("m{a=1} 1\n", "line 1: the value of label a is not quoted (expected: a=\"<value>\")");
        assertFails("m{a=\"1} 1\n", "line 1: the value of label a has no closing quote");
        assertFails("m{a=\"\\t\"} 1\n", "'\\t' in the value of label a is not an escape (expected: \\\\, \\\" or \\n)");
        assertFails("m{a=\"1\" b=\"2\"} 1\n", "after label a (expected: ',' or '}')");
        assertFails("m{a=\"1\",a=\"2\"} 1\n", "label a appears twice");
        assertFails("m{a=\"1\" 1\n", "(expected: ',' or '}')");
        assertFails("m{a=\"1\",\n", "the label set is not closed (expected: '}')");
        assertFails("m{1a=\"1\"} 1\n", "is not a label name (expected: [a-zA-Z_][a-zA-Z0-9_]*)");
        assertFails("m{a} 1\n", "label a has no value");
        assertFails("m 1 12:00\n", "'12:00' after the value is not a timestamp");
        assertFails("m 1 2 3\n", "unexpected '3' after the sample (expected: the end of the line)");
        assertFails("# TYPE m histogramm\n", "line 1: 'histogramm' is not a metric type");
        assertFails("# TYPE\n", "'# TYPE' without a metric name");
        assertFails("m{a=\"1\"} 1\nm{a=\"1\"} 2\n", "line 2: the series m{a=1} appears again (first on line 1");
    }

    @Test
    void longLinesAreShortenedInMessages() {
        String line = "x".repeat(10) + " " + "y".repeat(500);
        assertThatThrownBy(() -> PrometheusText.parse(line, "test")).hasMessageContaining("…")
                .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(300));
    }

    private static void assertFails(String body, String message) {
        assertThatThrownBy(() -> PrometheusText.parse(body, "http://gw"))
                .isInstanceOf(MetricsFormatException.class)
                .hasMessageContaining(message);
    }
}

package dev.isthmus.gateway.tap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The query of {@code GET /tap}: what it selects, and what it refuses, since anyone on the admin port writes it. */
class TapFilterTest {

    static TapEvent event(TapEvent.Direction direction, String service, String backend, String method, String path, int status) {
        return new TapEvent(Instant.EPOCH, direction, "10.0.0.7:41234", service, backend, method, path, status, 1_500_000, 0, 12,
                true);
    }

    static final TapEvent WEST_TO_EAST = event(TapEvent.Direction.OUTBOUND, "podinfo-east.test.svc.cluster.local:9898", "east",
            "GET", "/env", 200);

    private static TapFilter parse(String key, String value) {
        return TapFilter.parse(Map.of(key, List.of(value)));
    }

    @Test
    void anEmptyQueryMatchesEverything() {
        TapFilter all = TapFilter.parse(Map.of());
        assertThat(all).isEqualTo(TapFilter.ALL);
        assertThat(all.matches(WEST_TO_EAST)).isTrue();
    }

    @ParameterizedTest
    @CsvSource({
        "ns, test, true", "ns, prod, false",
        "svc, podinfo-east, true", "svc, podinfo-east.test.svc.cluster.local:9898, false", "svc, podinfo, false",
        "link, east, true", "link, west, false",
        "method, get, true", "method, POST, false",
        "path, /e, true", "path, /env, true", "path, /envs, false",
        "status, 2xx, true", "status, 2XX, true", "status, 200, true", "status, 5xx, false", "status, 201, false",
        "direction, outbound, true", "direction, inbound, false",
        "limit, 5, true"})
    void eachParameterSelectsWhatItNames(String key, String value, boolean matches) {
        if (value.contains(":")) {
            assertThatThrownBy(() -> parse(key, value)).hasMessageStartingWith(key + ": ");
            return;
        }
        assertThat(parse(key, value).matches(WEST_TO_EAST)).isEqualTo(matches);
    }

    @Test
    void theLimitIsKept() {
        assertThat(parse("limit", "100000").limit()).isEqualTo(TapFilter.MAX_LIMIT);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "ns|Test|ns: \"Test\" (expected: a lowercase DNS name such as podinfo)",
        "ns|te\"st|ns: \"te\\\"st\" (expected: a lowercase DNS name such as podinfo)",
        "svc|-podinfo|svc: \"-podinfo\" (expected: a lowercase DNS name such as podinfo)",
        "method|G3T|method: \"G3T\" (expected: an HTTP method such as GET)",
        "method|GETGETGETGETGETGET|method: \"GETGETGETGETGETGET\" (expected: an HTTP method such as GET)",
        "path|env|path: \"env\" (expected: a path prefix starting with /)",
        "status|6xx|status: \"6xx\" (expected: a class such as 5xx, or a code 100-599)",
        "status|2000|status: \"2000\" (expected: a class such as 5xx, or a code 100-599)",
        "status|x|status: \"x\" (expected: a class such as 5xx, or a code 100-599)",
        "direction|sideways|direction: \"sideways\" (expected: inbound or outbound)",
        "limit|0|limit: \"0\" (expected: 1-100000)",
        "limit|-1|limit: \"-1\" (expected: 1-100000)",
        "limit|100001|limit: \"100001\" (expected: 1-100000)",
        "limit|99999999999999999999|limit: \"99999999999999999999\" (expected: 1-100000)",
        "limit|1e3|limit: \"1e3\" (expected: 1-100000)",
        "limit|+5|limit: \"+5\" (expected: 1-100000)"})
    void hostileValuesAreRefusedWithWhatWasExpected(String key, String value, String message) {
        assertThatThrownBy(() -> parse(key, value)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @Test
    void controlCharactersAreRefusedAndQuotedEscaped() {
        assertThatThrownBy(() -> parse("link", "east\nwest"))
                .hasMessage("link: \"east\\nwest\" (expected: a lowercase DNS name such as podinfo)");
        assertThatThrownBy(() -> parse("path", "/a\u0000b"))
                .hasMessage("path: \"/a\\u0000b\" (expected: a path prefix starting with /)");
        assertThatThrownBy(() -> parse("path", "/a\u007fb")).hasMessageStartingWith("path: ");
    }

    @Test
    void anUnknownParameterIsRefusedAndNamed() {
        assertThatThrownBy(() -> parse("namespace", "test")).hasMessage(
                "tap parameter: \"namespace\" (expected: ns, svc, link, method, path, status, direction or limit)");
    }

    @Test
    void aParameterGivenTwiceIsRefused() {
        assertThatThrownBy(() -> TapFilter.parse(Map.of("ns", List.of("a", "b"))))
                .hasMessage("ns: given 2 times (expected: at most once)");
    }

    @Test
    void anEmptyValueIsRefused() {
        assertThatThrownBy(() -> parse("svc", "")).hasMessage("svc: empty (expected: a value, or leave the parameter out)");
    }

    @Test
    void aHugeValueIsRefusedWithoutBeingEchoed() {
        String huge = "/" + "a".repeat(1_000_000);
        assertThatThrownBy(() -> parse("path", huge)).hasMessage("path: 1000001 characters (expected: at most 256)");
    }

    @Test
    void aLongValueIsQuotedShortInTheError() {
        String long200 = "A".repeat(200);
        assertThatThrownBy(() -> parse("ns", long200)).message().hasSizeLessThan(140).contains("…");
    }
}

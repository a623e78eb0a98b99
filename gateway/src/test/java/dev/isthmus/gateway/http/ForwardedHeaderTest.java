package dev.isthmus.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.isthmus.identity.SpiffeId;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ForwardedHeaderTest {

    static final SpiffeId EAST = SpiffeId.parse("spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway");
    static final SpiffeId WEST = SpiffeId.parse("spiffe://west.example/ns/isthmus-multicluster/sa/isthmus-gateway");

    @Test
    void anElementQuotesWhatIsNotAToken() {
        assertThat(ForwardedHeader.element(EAST, WEST, "podinfo.test.svc.cluster.local:9898", "https")).isEqualTo(
                "by=\"spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway\""
                        + ";for=\"spiffe://west.example/ns/isthmus-multicluster/sa/isthmus-gateway\""
                        + ";host=\"podinfo.test.svc.cluster.local:9898\";proto=https");
    }

    @Test
    void aHostWithoutPortIsAToken() {
        assertThat(ForwardedHeader.element(EAST, WEST, "podinfo", "https")).contains(";host=podinfo;");
    }

    @Test
    void quotesAndBackslashesAreEscaped() {
        assertThat(ForwardedHeader.value("a\"b\\c")).isEqualTo("\"a\\\"b\\\\c\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "by=\"spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway\"",
        "for=10.0.0.1;BY=\"spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway\";proto=https",
        "for=a, for=b;by=spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway",
        "for=\"x, by=y\" ; by = \"spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway\"",
        "by=\"spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-\\gateway\"",
    })
    void findsItsOwnIdentityInAnyElement(String header) {
        assertThat(ForwardedHeader.hasBy(List.of(header), EAST.toString())).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "for=\"spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway\"",
        "by=\"spiffe://west.example/ns/isthmus-multicluster/sa/isthmus-gateway\"",
        "for=\"by=spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway\"",
        "by=\"spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway-2\"",
        "by",
        "by=\"unterminated",
    })
    void doesNotMistakeOtherValuesForItsIdentity(String header) {
        assertThat(ForwardedHeader.hasBy(List.of(header), EAST.toString())).isFalse();
    }

    @Test
    void looksAtEveryHeaderLine() {
        assertThat(ForwardedHeader.hasBy(List.of("for=a", ForwardedHeader.element(EAST, WEST, "h", "https")),
                EAST.toString())).isTrue();
    }
}

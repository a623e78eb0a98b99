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
    static final GatewayId EAST_ID = GatewayId.parse("_isthmus-eastaaaaaaaa");

    @Test
    void anElementNamesTheInstallationInByAndThePeerInFor() {
        assertThat(ForwardedHeader.element(EAST_ID, WEST, "podinfo.test.svc.cluster.local:9898", "https")).isEqualTo(
                "by=_isthmus-eastaaaaaaaa"
                        + ";for=\"spiffe://west.example/ns/isthmus-multicluster/sa/isthmus-gateway\""
                        + ";host=\"podinfo.test.svc.cluster.local:9898\";proto=https");
    }

    @Test
    void theInstallationIdIsAToken() {
        GatewayId id = GatewayId.random();
        assertThat(ForwardedHeader.value(id.value())).isEqualTo(id.value());
    }

    @Test
    void aHostWithoutPortIsAToken() {
        assertThat(ForwardedHeader.element(EAST_ID, WEST, "podinfo", "https")).contains(";host=podinfo;");
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
        assertThat(ForwardedHeader.hasBy(List.of("for=a", ForwardedHeader.element(EAST_ID, WEST, "h", "https")),
                EAST_ID.value())).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "by=_isthmus-eastaaaaaaaab",
        "by=_isthmus-eastaaaaaaa",
        "by=_ISTHMUS-EASTAAAAAAAA",
        "for=_isthmus-eastaaaaaaaa",
        "by=\"spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway\";for=_isthmus-eastaaaaaaaa",
    })
    void anotherInstallationsIdIsNotOurs(String header) {
        assertThat(ForwardedHeader.hasBy(List.of(header), EAST_ID.value())).isFalse();
    }
}

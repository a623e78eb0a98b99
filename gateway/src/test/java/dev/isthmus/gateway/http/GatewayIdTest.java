package dev.isthmus.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GatewayIdTest {

    static final String TOKEN = "_isthmus-[a-z2-7]{12}";

    @Test
    void aRandomIdIsAnObfuscatedIdentifierUniqueToTheProcess() {
        GatewayId one = GatewayId.random();
        GatewayId other = GatewayId.random();
        assertThat(one.value()).matches(TOKEN);
        assertThat(other.value()).matches(TOKEN);
        assertThat(one).isNotEqualTo(other);
    }

    @Test
    void aDerivedIdIsTheSameForTheSameInstallationAndDiffersForAnother() {
        GatewayId east = GatewayId.derivedFrom("cluster.local", "isthmus-multicluster", "3f1c2b9e-east");
        assertThat(east.value()).matches(TOKEN);
        assertThat(GatewayId.derivedFrom("cluster.local", "isthmus-multicluster", "3f1c2b9e-east")).isEqualTo(east);
        assertThat(GatewayId.derivedFrom("cluster.local", "isthmus-multicluster", "7a0d44c1-west")).isNotEqualTo(east);
    }

    @Test
    void thePartsOfADerivationDoNotRunIntoEachOther() {
        assertThat(GatewayId.derivedFrom("ab", "c")).isNotEqualTo(GatewayId.derivedFrom("a", "bc"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"_isthmus-k3j5w2q7m4xa", "_hidden", "_a.b-c_d", "_0"})
    void acceptsRfc7239ObfuscatedIdentifiers(String value) {
        assertThat(GatewayId.parse(value).value()).isEqualTo(value);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "_", "isthmus-k3j5w2q7m4xa", "spiffe://cluster.local/ns/x/sa/y", "_a b", "_a,by=_b",
        "_a;for=x", "_a\"", "_\u00e9t\u00e9", "_a\r\nX-Evil: 1",
        "_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
    void refusesWhatIsNotAnObfuscatedIdentifier(String value) {
        assertThatThrownBy(() -> GatewayId.parse(value)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("gateway id: '" + value + "' (expected: an RFC 7239 obfuscated identifier");
    }
}

package dev.isthmus.issuer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isthmus.identity.SpiffeId;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class TokenReviewerTest {

    @ParameterizedTest
    @CsvSource({
        "system:serviceaccount:apps:web, cluster.local, spiffe://cluster.local/ns/apps/sa/web",
        "system:serviceaccount:isthmus-multicluster:isthmus-gateway, east.example, spiffe://east.example/ns/isthmus-multicluster/sa/isthmus-gateway",
    })
    void mapsAServiceAccountToItsIdentity(String username, String trustDomain, String identity) {
        assertThat(TokenReviewer.identityOf(username, trustDomain)).isEqualTo(SpiffeId.parse(identity));
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"kubernetes-admin", "system:node:worker-1", "system:serviceaccount:apps",
        "system:serviceaccount:apps:web:extra", "system:serviceaccount:Apps:web", "system:serviceaccount::web"})
    void rejectsEveryoneElse(String username) {
        assertThatThrownBy(() -> TokenReviewer.identityOf(username, "cluster.local"))
                .isInstanceOf(TokenRejectedException.class)
                .hasMessageContaining("the token belongs to");
    }
}

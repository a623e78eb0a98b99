package dev.isthmus.issuer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isthmus.identity.ca.LeafIssuer;
import dev.isthmus.identity.ca.TrustAnchors;
import dev.isthmus.identity.testing.TestPki;
import dev.isthmus.identity.tls.PeerIdentities;
import dev.isthmus.testkit.SettableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.security.cert.CertPathValidatorException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServingCertificateTest {

    @TempDir
    Path dir;

    private final SettableClock clock = SettableClock.startingNow();
    private TestPki pki;
    private IssuerCredentials credentials;
    private ServingCertificate serving;

    @BeforeEach
    void setUp() {
        pki = IssuerFiles.write(dir, TestPki.create(clock));
        IssuerServiceConfig config = IssuerServiceConfig.builder()
                .issuerCertificate(IssuerFiles.certificateFile(dir))
                .issuerKey(IssuerFiles.keyFile(dir))
                .trustAnchors(IssuerFiles.anchorsFile(dir))
                .clock(clock)
                .build();
        credentials = new IssuerCredentials(config, new IssuerMetrics(new SimpleMeterRegistry()));
        serving = new ServingCertificate(RunningIssuer.SERVICE, clock);
    }

    @Test
    void startsWithAStandInForItsIdentityThatNoAnchorVouchesFor() {
        X509Certificate standIn = serving.leaf();

        assertThat(PeerIdentities.of(standIn)).isEqualTo(RunningIssuer.SERVICE);
        assertThatThrownBy(() -> anchors().verify(List.of(standIn), clock.instant()))
                .isInstanceOf(CertPathValidatorException.class);
        assertThat(serving.context().isServer()).isTrue();
    }

    @Test
    void replacesTheStandInAsSoonAsAnIssuerCanSign() throws Exception {
        serving.renewIfDue(credentials);
        X509Certificate stillStandIn = serving.leaf();
        credentials.reload();
        serving.renewIfDue(credentials);

        assertThat(serving.leaf()).isNotEqualTo(stillStandIn);
        assertThat(serving.leaf().getIssuerX500Principal()).isEqualTo(pki.issuer().certificate().getSubjectX500Principal());
        anchors().verify(List.of(serving.leaf(), pki.issuer().certificate()), clock.instant());
    }

    @Test
    void renewsAfterSeventyPercentOfItsLifetime() {
        credentials.reload();
        serving.renewIfDue(credentials);
        X509Certificate first = serving.leaf();

        clock.advance(Duration.ofHours(16)); // two thirds of 24 h
        serving.renewIfDue(credentials);
        assertThat(serving.leaf()).isSameAs(first);

        clock.advance(Duration.ofHours(1));
        serving.renewIfDue(credentials);
        assertThat(serving.leaf()).isNotEqualTo(first);
    }

    @Test
    void keepsItsCertificateWhenTheIssuerCannotSign() {
        credentials.reload();
        serving.renewIfDue(credentials);
        X509Certificate current = serving.leaf();
        LeafIssuer issuer = credentials.usableIssuer();

        clock.advance(TestPki.ISSUER_LIFETIME);
        serving.renewIfDue(credentials);
        serving.renew(issuer);

        assertThat(serving.leaf()).isSameAs(current);
    }

    private TrustAnchors anchors() {
        return new TrustAnchors(pki.root().chain(), "test");
    }
}

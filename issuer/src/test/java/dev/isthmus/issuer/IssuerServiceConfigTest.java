package dev.isthmus.issuer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.isthmus.identity.SpiffeId;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class IssuerServiceConfigTest {

    private static IssuerServiceConfig.Builder withFiles() {
        return IssuerServiceConfig.builder()
                .issuerCertificate(Path.of("issuer/tls.crt"))
                .issuerKey(Path.of("issuer/tls.key"))
                .trustAnchors(Path.of("roots/ca-bundle.crt"));
    }

    @Test
    void hasTheDocumentedDefaults() {
        IssuerServiceConfig config = withFiles().build();

        assertThat(config.bindAddress()).isEqualTo("0.0.0.0");
        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.trustDomain()).isEqualTo("cluster.local");
        assertThat(config.serviceIdentity()).isEqualTo(SpiffeId.parse("spiffe://cluster.local/ns/isthmus/sa/isthmus-identity"));
        assertThat(config.leafLifetime()).isEqualTo(Duration.ofHours(24));
        assertThat(config.clockSkew()).isEqualTo(Duration.ofSeconds(20));
        assertThat(config.reloadInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.idleTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void derivesTheServiceIdentityFromTheTrustDomain() {
        assertThat(withFiles().trustDomain("east.example").build().serviceIdentity())
                .isEqualTo(SpiffeId.parse("spiffe://east.example/ns/isthmus/sa/isthmus-identity"));
    }

    @Test
    void rejectsBadValuesNamingTheSettingAndWhatItExpects() {
        IssuerServiceConfig.Builder builder = withFiles();
        assertThatThrownBy(() -> builder.port(70000)).hasMessage("port: 70000 (expected: 0-65535)");
        assertThatThrownBy(() -> builder.port(-1)).hasMessage("port: -1 (expected: 0-65535)");
        assertThatThrownBy(() -> builder.reloadInterval(Duration.ZERO)).hasMessage("reloadInterval: PT0S (expected: a positive duration)");
        assertThatThrownBy(() -> builder.leafLifetime(Duration.ofHours(-1))).hasMessage("leafLifetime: PT-1H (expected: a positive duration)");
        assertThatThrownBy(() -> builder.clockSkew(Duration.ofSeconds(-1))).hasMessage("clockSkew: PT-1S (expected: zero or more)");
        assertThatThrownBy(() -> builder.verifierThreads(0)).hasMessage("verifierThreads: 0 (expected: 1-256)");
        assertThatThrownBy(() -> builder.verifierQueue(0)).hasMessage("verifierQueue: 0 (expected: 1-65536)");
        assertThatThrownBy(() -> builder.bindAddress(" ")).hasMessageStartingWith("bindAddress: '' (expected:");
        assertThatThrownBy(() -> builder.trustDomain("Not A Domain")).hasMessageStartingWith("trustDomain: trust domain 'Not A Domain' is invalid");
        assertThatThrownBy(() -> builder.port(8080).clock(null)).isInstanceOf(NullPointerException.class).hasMessage("clock");
    }

    @Test
    void requiresTheIssuerFilesAndAServiceIdentityInTheTrustDomain() {
        assertThatThrownBy(() -> IssuerServiceConfig.builder().build())
                .hasMessage("issuerCertificate: not set (expected: the path of the issuer's PEM certificate, such as tls.crt)");
        assertThatThrownBy(() -> withFiles().trustDomain("east.example")
                        .serviceIdentity(SpiffeId.parse("spiffe://west.example/ns/isthmus/sa/isthmus-identity")).build())
                .hasMessage("serviceIdentity: spiffe://west.example/ns/isthmus/sa/isthmus-identity"
                        + " (expected: an identity in trust domain east.example)");
    }
}

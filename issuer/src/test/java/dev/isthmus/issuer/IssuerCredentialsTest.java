package dev.isthmus.issuer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.isthmus.identity.ca.CertificateAuthority;
import dev.isthmus.identity.ca.IssuedCertificate;
import dev.isthmus.identity.ca.Keys;
import dev.isthmus.identity.ca.LeafIssuer;
import dev.isthmus.identity.ca.TrustAnchors;
import dev.isthmus.identity.pem.PemFiles;
import dev.isthmus.identity.testing.TestPki;
import dev.isthmus.testkit.SettableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IssuerCredentialsTest {

    @TempDir
    Path dir;

    private final SettableClock clock = SettableClock.startingNow();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<LeafIssuer> announced = new ArrayList<>();

    private IssuerCredentials credentials() {
        IssuerServiceConfig config = IssuerServiceConfig.builder()
                .issuerCertificate(IssuerFiles.certificateFile(dir))
                .issuerKey(IssuerFiles.keyFile(dir))
                .trustAnchors(IssuerFiles.anchorsFile(dir))
                .clock(clock)
                .build();
        IssuerCredentials credentials = new IssuerCredentials(config, new IssuerMetrics(registry));
        credentials.onReload(announced::add);
        return credentials;
    }

    @Test
    void loadsAnIssuerThatChainsToTheAnchorsAndSignsWithIt() throws Exception {
        TestPki pki = IssuerFiles.write(dir, TestPki.create(clock));
        IssuerCredentials credentials = credentials();
        credentials.reload();

        LeafIssuer issuer = credentials.usableIssuer();
        assertThat(issuer.authority().certificate()).isEqualTo(pki.issuer().certificate());
        IssuedCertificate leaf = issuer.issue(Keys.generateP256().getPublic(), RunningIssuer.WORKLOAD_A);
        new TrustAnchors(pki.root().chain(), "test").verify(leaf.chain(), clock.instant());
        assertThat(announced).containsExactly(issuer);
        assertThat(reloads("ok")).isEqualTo(1);
        assertThat(credentials.secondsUntilExpiry()).isCloseTo(TestPki.ISSUER_LIFETIME.toSeconds(), within(5.0));
    }

    @Test
    void doesNotReloadFilesThatDidNotChange() {
        IssuerFiles.write(dir, TestPki.create(clock));
        IssuerCredentials credentials = credentials();
        credentials.reload();
        credentials.reload();
        credentials.reload();

        assertThat(announced).hasSize(1);
        assertThat(reloads("ok")).isEqualTo(1);
    }

    @Test
    void isNotReadyWithoutFilesCountsThatOnceAndLoadsThemWhenTheyAppear() {
        IssuerCredentials credentials = credentials();
        credentials.reload();
        credentials.reload();

        assertThatThrownBy(credentials::usableIssuer).isInstanceOf(IssuerNotReadyException.class)
                .hasMessage("no issuer is loaded yet: " + IssuerFiles.certificateFile(dir) + ": no such file");
        assertThat(credentials.secondsUntilExpiry()).isNaN();
        assertThat(reloads("failed")).isEqualTo(1);

        IssuerFiles.write(dir, TestPki.create(clock));
        credentials.reload();
        assertThat(credentials.usableIssuer()).isNotNull();
        assertThat(reloads("ok")).isEqualTo(1);
    }

    @Test
    void retriesFilesThatAreNotValidYetUntilTheyAre() {
        TestPki pki = IssuerFiles.write(dir, TestPki.create(clock));
        Instant now = clock.instant();
        clock.set(pki.issuer().notBefore().minus(Duration.ofHours(1)));
        IssuerCredentials credentials = credentials();
        credentials.reload();
        assertThatThrownBy(credentials::usableIssuer).hasMessageContaining("is not valid before");

        clock.set(now);
        credentials.reload();
        assertThat(credentials.usableIssuer()).isNotNull();
        assertThat(reloads("failed")).isEqualTo(1);
        assertThat(reloads("ok")).isEqualTo(1);
    }

    @Test
    void anExpiredIssuerIsNotUsable() {
        TestPki pki = IssuerFiles.write(dir, TestPki.create(clock));
        IssuerCredentials credentials = credentials();
        credentials.reload();

        clock.advance(TestPki.ISSUER_LIFETIME);
        assertThatThrownBy(credentials::usableIssuer).isInstanceOf(IssuerNotReadyException.class)
                .hasMessageContaining("expired at " + pki.issuer().notAfter());
        assertThat(credentials.secondsUntilExpiry()).isLessThanOrEqualTo(0);
    }

    @Test
    void noticesASecretUpdatedBySymlinkSwapWithTheSameMtimes() {
        TestPki pki = TestPki.create(clock);
        SecretMount mount = new SecretMount(dir);
        mount.publish(pki, pki.issuer());
        IssuerCredentials credentials = credentials();
        credentials.reload();

        CertificateAuthority rotated = pki.newIssuer();
        mount.publish(pki, rotated);
        credentials.reload();

        assertThat(credentials.usableIssuer().authority().certificate()).isEqualTo(rotated.certificate());
        assertThat(announced).hasSize(2);
    }

    @Test
    void acceptsAnIssuerUnderANewRootOnceTheBundleHoldsBothRoots() {
        TestPki old = IssuerFiles.write(dir, TestPki.create(clock));
        IssuerCredentials credentials = credentials();
        credentials.reload();
        TestPki next = TestPki.create(clock);

        IssuerFiles.writeIssuer(dir, next.issuer());
        credentials.reload();
        assertThat(credentials.usableIssuer().authority().certificate()).isEqualTo(old.issuer().certificate());
        assertThat(reloads("failed")).isEqualTo(1);

        List<X509Certificate> bundle = new ArrayList<>(old.root().chain());
        bundle.addAll(next.root().chain());
        PemFiles.write(List.of(PemFiles.Output.certificates(IssuerFiles.anchorsFile(dir), bundle)), true);
        credentials.reload();
        assertThat(credentials.usableIssuer().authority().certificate()).isEqualTo(next.issuer().certificate());
    }

    private double reloads(String result) {
        return registry.get(IssuerMetrics.ISSUER_RELOADS).tag("result", result).counter().count();
    }
}

package dev.isthmus.identity.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.pem.Pem;
import dev.isthmus.identity.testing.Openssl;
import dev.isthmus.identity.testing.TestPki;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.Provider;
import java.security.Security;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.pkcs.CertificationRequest;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SignatureProvidersTest {

    private static final SpiffeId WEB = new SpiffeId("cluster.local", "emojivoto", "web");
    private static final String ACCP = "AmazonCorrettoCryptoProvider";

    @TempDir
    Path dir;

    @Test
    void onLinuxX86ThisBuildSignsWithTheNativeProviderWithoutRegisteringIt() {
        // The build ships ACCP's linux-x86_64 jar; elsewhere the fallback is right and this test says nothing.
        assumeTrue(System.getProperty("os.name").equals("Linux")
                && List.of("amd64", "x86_64").contains(System.getProperty("os.arch")), "ACCP's jar here is for linux-x86_64");
        assertThat(System.getProperty(SignatureProviders.PROPERTY)).as("nothing forces the fallback in tests").isNull();

        assertThat(SignatureProviders.chosen().getName()).isEqualTo(ACCP);
        assertThat(Security.getProvider(ACCP)).as("TLS and everything else keep the platform's providers").isNull();
        assertThat(Security.getProvider("BC")).isNull();
    }

    @Test
    void withoutTheAccpJarOnTheClassPathIssuanceFallsBackToBouncyCastle() throws Exception {
        // This module's classes and BouncyCastle's in a loader of their own, without ACCP's jar: what a build
        // without it (or a platform it does not ship for) sees.
        List<URL> classPath = new ArrayList<>();
        for (Class<?> type : List.of(SignatureProviders.class, BouncyCastleProvider.class, PKCS10CertificationRequest.class,
                SubjectPublicKeyInfo.class)) {
            URL location = type.getProtectionDomain().getCodeSource().getLocation();
            if (!classPath.contains(location)) {
                classPath.add(location);
            }
        }
        try (URLClassLoader withoutAccp = new URLClassLoader(classPath.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
            assertThatThrownBy(() -> withoutAccp.loadClass("com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider"))
                    .isInstanceOf(ClassNotFoundException.class);

            Provider chosen = (Provider) withoutAccp.loadClass(SignatureProviders.class.getName())
                    .getMethod("chosen").invoke(null);

            assertThat(chosen.getName()).isEqualTo("BC");
        }
    }

    @Test
    void aNativeLibraryThatCannotLoadFallsBackToBouncyCastle() {
        Provider chosen = SignatureProviders.choose("auto", () -> {
            throw new UnsatisfiedLinkError("no amazonCorrettoCryptoProvider in java.library.path");
        });

        assertThat(chosen).isSameAs(SignatureProviders.bouncyCastle());
    }

    @Test
    void aProviderWhoseSelfTestsFailFallsBackToBouncyCastle() {
        Provider chosen = SignatureProviders.choose("auto", () -> {
            throw new IllegalStateException("ACCP self-tests: FAILED (expected: PASSED)");
        });

        assertThat(chosen).isSameAs(SignatureProviders.bouncyCastle());
    }

    @Test
    void aProviderThatCannotSignP256FallsBackToBouncyCastle() {
        // A real provider without ECDSA, standing for a native one that loads but cannot do the job.
        Provider noEcdsa = Security.getProvider("SunJCE");

        assertThat(SignatureProviders.problemWith(noEcdsa)).startsWith("SunJCE cannot sign and verify SHA256withECDSA on P-256: ");
        assertThat(SignatureProviders.choose("auto", () -> noEcdsa)).isSameAs(SignatureProviders.bouncyCastle());
    }

    @Test
    void bothRealProvidersPassTheInteroperabilityCheck() {
        assertThat(SignatureProviders.problemWith(SignatureProviders.bouncyCastle())).isNull();
        assertThat(SignatureProviders.problemWith(SignatureProviders.chosen())).isNull();
    }

    @Test
    void theSettingForcesBouncyCastleWithoutTouchingTheNativeProvider() {
        AtomicInteger asked = new AtomicInteger();
        Supplier<Provider> candidate = () -> {
            asked.incrementAndGet();
            return SignatureProviders.chosen();
        };

        assertThat(SignatureProviders.choose("bouncycastle", candidate)).isSameAs(SignatureProviders.bouncyCastle());
        assertThat(SignatureProviders.choose(" BouncyCastle ", candidate)).isSameAs(SignatureProviders.bouncyCastle());
        assertThat(asked).hasValue(0);
    }

    @Test
    void anUnknownSettingFallsBackToBouncyCastle() {
        assertThat(SignatureProviders.choose("openssl", SignatureProviders::chosen)).isSameAs(SignatureProviders.bouncyCastle());
    }

    static Stream<Arguments> providers() {
        Provider forcedFallback = SignatureProviders.choose("auto", () -> {
            throw new NoClassDefFoundError("com/amazon/corretto/crypto/provider/AmazonCorrettoCryptoProvider");
        });
        return Stream.of(Arguments.of("chosen", SignatureProviders.chosen()), Arguments.of("forced fallback", forcedFallback));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void issuesFromARequestALeafOpensslVerifiesForClientAndServerUse(String name, Provider provider) throws Exception {
        TestPki pki = TestPki.create();
        KeyPair keys = Keys.generateP256();
        PKCS10CertificationRequest csr = CertificateRequests.create(keys, WEB);
        LeafIssuer issuer = new LeafIssuer(pki.issuer(), LeafIssuer.DEFAULT_LIFETIME, LeafIssuer.DEFAULT_CLOCK_SKEW,
                Clock.systemUTC(), provider);

        IssuedCertificate issued = issuer.issue(csr, WEB);

        issued.leaf().verify(pki.issuer().certificate().getPublicKey(), "SunEC");
        assertThat(issued.leaf().getPublicKey()).isEqualTo(keys.getPublic());
        Openssl openssl = new Openssl(dir);
        openssl.write("root.crt", Pem.encode(pki.root().certificate()));
        openssl.write("issuer.crt", Pem.encode(issued.intermediates()));
        openssl.write("leaf.crt", Pem.encode(issued.leaf()));
        for (String purpose : List.of("sslserver", "sslclient")) {
            assertThat(openssl.run("verify", "-x509_strict", "-purpose", purpose,
                    "-CAfile", "root.crt", "-untrusted", "issuer.crt", "leaf.crt"))
                    .isEqualTo("leaf.crt: OK\n");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void aRequestSignedByAnotherKeyIsRejected(String name, Provider provider) {
        KeyPair requested = Keys.generateP256();
        PKCS10CertificationRequest honest = CertificateRequests.create(requested, WEB);
        PKCS10CertificationRequest forged = CertificateRequests.create(Keys.generateP256(), WEB);
        // The forged request's key swapped for the requested one: its signature is by a key it does not name.
        PKCS10CertificationRequest swapped = new PKCS10CertificationRequest(new CertificationRequest(
                honest.toASN1Structure().getCertificationRequestInfo(), forged.getSignatureAlgorithm(),
                new DERBitString(forged.getSignature())));

        assertThat(CertificateRequests.validate(honest, provider)).isEqualTo(WEB);
        assertThatThrownBy(() -> CertificateRequests.validate(swapped, provider))
                .isInstanceOf(CertificateRequestException.class)
                .hasMessage("the request's signature does not verify with its public key"
                        + " (expected: signed by the key it asks a certificate for)");
    }
}

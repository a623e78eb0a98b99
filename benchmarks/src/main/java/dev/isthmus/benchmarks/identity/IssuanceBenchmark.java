package dev.isthmus.benchmarks.identity;

import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.ca.CertificateAuthority;
import dev.isthmus.identity.ca.CertificateRequests;
import dev.isthmus.identity.ca.IssuedCertificate;
import dev.isthmus.identity.ca.Keys;
import dev.isthmus.identity.ca.LeafIssuer;
import dev.isthmus.identity.ca.SignatureProviders;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How many workload certificates one core signs per second, and what part of that is the ECDSA
 * signature itself. Issuance runs twice: with the provider it chooses ({@link SignatureProviders#chosen()}:
 * ACCP where it loads) and with the BouncyCastle fallback. The {@code baseline*} benchmarks sign and verify a
 * message about the size of a leaf's to-be-signed part with BouncyCastle, {@code native*} with the chosen
 * provider and {@code sunEc*} with the JDK's default provider, so results compare as ratios measured in the
 * same run, whatever the machine.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 3)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class IssuanceBenchmark {

    /** About the size of a leaf certificate's to-be-signed part. */
    private static final int MESSAGE_BYTES = 300;

    private LeafIssuer issuer;
    private LeafIssuer bouncyCastleIssuer;
    private SpiffeId identity;
    private PKCS10CertificationRequest csr;
    private PublicKey workloadKey;

    private Signature signer;
    private Signature verifier;
    private Signature nativeSigner;
    private Signature nativeVerifier;
    private Signature sunEcSigner;
    private Signature sunEcVerifier;
    private byte[] message;
    private byte[] signature;

    @Setup
    public void setUp() throws GeneralSecurityException {
        Clock clock = Clock.systemUTC();
        CertificateAuthority root = CertificateAuthority.createRoot("cluster.local", Duration.ofDays(365), clock);
        CertificateAuthority authority = root.createIssuer("cluster.local", Duration.ofDays(30), clock);
        issuer = new LeafIssuer(authority, clock);
        bouncyCastleIssuer = new LeafIssuer(authority, LeafIssuer.DEFAULT_LIFETIME, LeafIssuer.DEFAULT_CLOCK_SKEW, clock,
                SignatureProviders.bouncyCastle());
        identity = new SpiffeId("cluster.local", "emojivoto", "web");
        KeyPair workload = Keys.generateP256();
        workloadKey = workload.getPublic();
        csr = CertificateRequests.create(workload, identity);

        message = new byte[MESSAGE_BYTES];
        new SecureRandom().nextBytes(message);
        Provider bouncyCastle = SignatureProviders.bouncyCastle();
        signer = Signature.getInstance("SHA256withECDSA", bouncyCastle);
        signer.initSign(authority.key());
        verifier = Signature.getInstance("SHA256withECDSA", bouncyCastle);
        verifier.initVerify(workloadKey);
        Provider chosen = SignatureProviders.chosen();
        nativeSigner = Signature.getInstance("SHA256withECDSA", chosen);
        nativeSigner.initSign(authority.key());
        nativeVerifier = Signature.getInstance("SHA256withECDSA", chosen);
        nativeVerifier.initVerify(workloadKey);
        sunEcSigner = Signature.getInstance("SHA256withECDSA", "SunEC");
        sunEcSigner.initSign(authority.key());
        sunEcVerifier = Signature.getInstance("SHA256withECDSA", "SunEC");
        sunEcVerifier.initVerify(workloadKey);
        Signature workloadSigner = Signature.getInstance("SHA256withECDSA");
        workloadSigner.initSign(workload.getPrivate());
        workloadSigner.update(message);
        signature = workloadSigner.sign();
    }

    /** What the issuer service does per request: validate the CSR (its signature too), then sign the leaf. */
    @Benchmark
    public IssuedCertificate issueFromCsr() {
        return issuer.issue(csr, identity);
    }

    /** Signing only, as {@code isthmus certs leaf} does for a key it holds. */
    @Benchmark
    public IssuedCertificate issueFromPublicKey() {
        return issuer.issue(workloadKey, identity);
    }

    /** CSR checks alone: key type, signature, SANs. */
    @Benchmark
    public SpiffeId validateCsr() {
        return CertificateRequests.validate(csr);
    }

    /** {@link #issueFromCsr()} on the fallback path: BouncyCastle signs and verifies. */
    @Benchmark
    public IssuedCertificate issueFromCsrBouncyCastle() {
        return bouncyCastleIssuer.issue(csr, identity);
    }

    /** {@link #issueFromPublicKey()} with BouncyCastle. */
    @Benchmark
    public IssuedCertificate issueFromPublicKeyBouncyCastle() {
        return bouncyCastleIssuer.issue(workloadKey, identity);
    }

    /** {@link #validateCsr()} with BouncyCastle. */
    @Benchmark
    public SpiffeId validateCsrBouncyCastle() {
        return CertificateRequests.validate(csr, SignatureProviders.bouncyCastle());
    }

    /** Baseline for issuance: one raw SHA256withECDSA P-256 signature, BouncyCastle like issuance. */
    @Benchmark
    public byte[] baselineSign() throws GeneralSecurityException {
        signer.update(message);
        return signer.sign();
    }

    /** Baseline for validation: one raw SHA256withECDSA P-256 verification. */
    @Benchmark
    public boolean baselineVerify() throws GeneralSecurityException {
        verifier.update(message);
        return verifier.verify(signature);
    }

    /** The same signature with the provider issuance chose (ACCP where it loads). */
    @Benchmark
    public byte[] nativeSign() throws GeneralSecurityException {
        nativeSigner.update(message);
        return nativeSigner.sign();
    }

    /** The same verification with the provider issuance chose. */
    @Benchmark
    public boolean nativeVerify() throws GeneralSecurityException {
        nativeVerifier.update(message);
        return nativeVerifier.verify(signature);
    }

    /** The same signature with the JDK's own provider. */
    @Benchmark
    public byte[] sunEcSign() throws GeneralSecurityException {
        sunEcSigner.update(message);
        return sunEcSigner.sign();
    }

    /** The same verification with the JDK's own provider. */
    @Benchmark
    public boolean sunEcVerify() throws GeneralSecurityException {
        sunEcVerifier.update(message);
        return sunEcVerifier.verify(signature);
    }
}

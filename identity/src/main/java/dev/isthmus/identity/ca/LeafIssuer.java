package dev.isthmus.identity.ca;

import static java.util.Objects.requireNonNull;

import dev.isthmus.identity.SpiffeId;
import java.io.IOException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * Signs workload certificates: ECDSA P-256 leaves for one identity, good for both TLS client and
 * server use, valid from a little before now (clock skew between nodes) for {@code lifetime}, never
 * past the issuer's chain.
 */
public final class LeafIssuer {

    public static final Duration DEFAULT_LIFETIME = Duration.ofHours(24);
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(20);

    private static final ExtendedKeyUsage CLIENT_AND_SERVER =
            new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth});
    private static final KeyUsage DIGITAL_SIGNATURE = new KeyUsage(KeyUsage.digitalSignature);
    private static final BasicConstraints NOT_A_CA = new BasicConstraints(false);
    private static final int MAX_COMMON_NAME = 64;

    private final CertificateAuthority issuer;
    private final Duration lifetime;
    private final Duration clockSkew;
    private final Clock clock;
    private final X500Name issuerName;
    private final AuthorityKeyIdentifier authorityKeyId;
    private final PrivateKey signingKey;
    /** Signs leaves and verifies requests: {@link SignatureProviders#chosen()} unless a caller names one. */
    private final Provider provider;
    /** What a leaf is sent with: the issuer's chain, or nothing when the issuer is itself the (self-signed) root. */
    private final List<X509Certificate> intermediates;

    public LeafIssuer(CertificateAuthority issuer, Duration lifetime, Duration clockSkew, Clock clock) {
        this(issuer, lifetime, clockSkew, clock, SignatureProviders.chosen());
    }

    /** With a given signature provider, such as {@link SignatureProviders#bouncyCastle()} to compare or to avoid native code. */
    public LeafIssuer(CertificateAuthority issuer, Duration lifetime, Duration clockSkew, Clock clock, Provider provider) {
        this.provider = requireNonNull(provider, "provider");
        this.issuer = requireNonNull(issuer, "issuer");
        this.lifetime = requireNonNull(lifetime, "lifetime");
        this.clockSkew = requireNonNull(clockSkew, "clockSkew");
        this.clock = requireNonNull(clock, "clock");
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new IllegalArgumentException("lifetime: " + lifetime + " (expected: a positive duration)");
        }
        if (clockSkew.isNegative()) {
            throw new IllegalArgumentException("clockSkew: " + clockSkew + " (expected: zero or more)");
        }
        issuerName = issuer.subject();
        authorityKeyId = CertificateAuthority.extensions().createAuthorityKeyIdentifier(issuer.certificate().getPublicKey());
        intermediates = CertificateAuthority.isSelfSigned(issuer.certificate()) ? List.of() : issuer.chain();
        signingKey = Keys.forSigning(issuer.key(), provider);
    }

    public LeafIssuer(CertificateAuthority issuer, Clock clock) {
        this(issuer, DEFAULT_LIFETIME, DEFAULT_CLOCK_SKEW, clock);
    }

    public CertificateAuthority authority() {
        return issuer;
    }

    /**
     * Validates {@code csr}, checks that it asks for exactly the {@code proven} identity, and signs it.
     *
     * @throws CertificateRequestException if the request is malformed
     * @throws IdentityMismatchException if it asks for another identity
     * @throws InvalidAuthorityException if the issuer cannot sign now (expired, not yet valid)
     */
    public IssuedCertificate issue(PKCS10CertificationRequest csr, SpiffeId proven) {
        SpiffeId requested = CertificateRequests.validate(csr, provider);
        if (!requested.equals(proven)) {
            throw new IdentityMismatchException(requested, proven);
        }
        return sign(csr.getSubjectPublicKeyInfo(), proven);
    }

    /** Signs a certificate for {@code key} and {@code identity}, as {@code certs leaf} does by hand. */
    public IssuedCertificate issue(PublicKey key, SpiffeId identity) {
        return sign(SubjectPublicKeyInfo.getInstance(key.getEncoded()), identity);
    }

    private IssuedCertificate sign(SubjectPublicKeyInfo key, SpiffeId identity) {
        Instant now = clock.instant();
        Instant notAfter = CertificateAuthority.min(now.plus(lifetime), issuer.notAfter());
        Instant notBefore = CertificateAuthority.max(now.minus(clockSkew), issuer.notBefore());
        if (!now.isBefore(issuer.notAfter()) || now.isBefore(issuer.notBefore())) {
            issuer.check(now, "the issuer");
        }
        X500Name subject = subject(identity);
        X509v3CertificateBuilder builder = new X509v3CertificateBuilder(issuerName,
                CertificateAuthority.serial(), Date.from(notBefore), Date.from(notAfter), subject, key);
        // RFC 5280 4.2.1.6: a certificate with an empty subject must mark its SANs critical.
        boolean sansCritical = subject.getRDNs().length == 0;
        try {
            builder.addExtension(Extension.basicConstraints, true, NOT_A_CA)
                    .addExtension(Extension.keyUsage, true, DIGITAL_SIGNATURE)
                    .addExtension(Extension.extendedKeyUsage, false, CLIENT_AND_SERVER)
                    .addExtension(Extension.authorityKeyIdentifier, false, authorityKeyId)
                    .addExtension(Extension.subjectAlternativeName, sansCritical, new GeneralNames(new GeneralName[] {
                        new GeneralName(GeneralName.uniformResourceIdentifier, identity.toString()),
                        new GeneralName(GeneralName.dNSName, identity.dnsName())
                    }));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        X509Certificate leaf = CertificateAuthority.sign(builder, signingKey, provider);
        return new IssuedCertificate(leaf, intermediates);
    }

    /**
     * {@code CN=<dns name>} when it fits RFC 5280's 64-character limit on a common name; otherwise an empty
     * subject, since the identity is in the SANs anyway ({@code isthmus-gateway.isthmus-multicluster…} is 82).
     */
    static X500Name subject(SpiffeId identity) {
        String dnsName = identity.dnsName();
        return dnsName.length() <= MAX_COMMON_NAME ? new X500Name("CN=" + dnsName) : new X500Name(new RDN[0]);
    }
}

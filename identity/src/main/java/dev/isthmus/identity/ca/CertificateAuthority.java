package dev.isthmus.identity.ca;

import static java.util.Objects.requireNonNull;

import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.pem.Pem;
import dev.isthmus.identity.pem.PemFiles;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority that can sign: its certificate, the chain above it (up to, not including,
 * a self-signed root) and its private key. Construction checks that the key matches, that the
 * certificate is a CA, and that it is valid now, so a loaded authority is one that can issue.
 *
 * @param chain this authority's certificate first, then any intermediates above it
 */
public record CertificateAuthority(List<X509Certificate> chain, PrivateKey key) {

    private static final SecureRandom SERIALS = new SecureRandom();
    /** CA certificates start a minute early, so peers whose clocks lag a little accept them at once. */
    private static final Duration CA_BACKDATE = Duration.ofMinutes(1);
    private static final JcaX509ExtensionUtils EXTENSIONS = extensionUtils();

    public CertificateAuthority {
        requireNonNull(chain, "chain");
        requireNonNull(key, "key");
        if (chain.isEmpty()) {
            throw new InvalidAuthorityException("no CA certificate (expected the CA certificate first in the file)");
        }
        chain = List.copyOf(chain);
    }

    /** Loads and checks a CA from PEM files; self-signed roots after the CA certificate are dropped from the chain. */
    public static CertificateAuthority load(Path certificateFile, Path keyFile, Instant now) {
        List<X509Certificate> certificates = PemFiles.readCertificates(certificateFile);
        PrivateKey key = PemFiles.readPrivateKey(keyFile);
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(certificates.get(0));
        certificates.stream().skip(1).filter(c -> !isSelfSigned(c)).forEach(chain::add);
        CertificateAuthority authority = new CertificateAuthority(chain, key);
        authority.check(now, certificateFile + " with " + keyFile);
        return authority;
    }

    /** A new self-signed trust anchor, {@code CN=root.isthmus.<trust-domain>}, ECDSA P-256. */
    public static CertificateAuthority createRoot(String trustDomain, Duration lifetime, Clock clock) {
        return createRoot(trustDomain, lifetime, clock, SignatureProviders.chosen());
    }

    /**
     * The same, signed with {@code provider}: {@link SignatureProviders#bouncyCastle()} where choosing the native provider
     * is not wanted (the gateway's warm-up makes a throwaway root in a JVM that never signs otherwise).
     */
    public static CertificateAuthority createRoot(String trustDomain, Duration lifetime, Clock clock, Provider provider) {
        SpiffeId.checkTrustDomain(trustDomain);
        KeyPair keys = Keys.generateP256();
        X500Name subject = new X500Name("CN=root.isthmus." + trustDomain);
        Instant now = clock.instant();
        X509v3CertificateBuilder builder =
                builder(subject, subject, now.minus(CA_BACKDATE), now.plus(checkLifetime(lifetime)), keys.getPublic());
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(1))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, EXTENSIONS.createSubjectKeyIdentifier(keys.getPublic()));
        } catch (CertIOException e) {
            throw new IllegalStateException(e);
        }
        X509Certificate root = sign(builder, keys.getPrivate(), provider);
        return new CertificateAuthority(List.of(root), keys.getPrivate());
    }

    /**
     * A new intermediate CA under this one ({@code CN=identity.isthmus.<trust-domain>}, path length 0),
     * valid for {@code lifetime} but never past this authority.
     */
    public CertificateAuthority createIssuer(String trustDomain, Duration lifetime, Clock clock) {
        SpiffeId.checkTrustDomain(trustDomain);
        Instant now = clock.instant();
        check(now, "the signing CA");
        KeyPair keys = Keys.generateP256();
        Instant notAfter = min(now.plus(checkLifetime(lifetime)), notAfter());
        X509v3CertificateBuilder builder = builder(X500Name.getInstance(certificate().getSubjectX500Principal().getEncoded()),
                new X500Name("CN=identity.isthmus." + trustDomain), max(now.minus(CA_BACKDATE), notBefore()), notAfter,
                keys.getPublic());
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, EXTENSIONS.createSubjectKeyIdentifier(keys.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            EXTENSIONS.createAuthorityKeyIdentifier(certificate().getPublicKey()));
        } catch (CertIOException e) {
            throw new IllegalStateException(e);
        }
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(sign(builder, key));
        chain.addAll(isSelfSigned(certificate()) ? List.of() : this.chain);
        return new CertificateAuthority(chain, keys.getPrivate());
    }

    public X509Certificate certificate() {
        return chain.get(0);
    }

    /** The earliest expiry in the chain: nothing this authority signs may outlive it. */
    public Instant notAfter() {
        return chain.stream().map(c -> c.getNotAfter().toInstant()).min(Instant::compareTo).orElseThrow();
    }

    /** The latest start in the chain. */
    public Instant notBefore() {
        return chain.stream().map(c -> c.getNotBefore().toInstant()).max(Instant::compareTo).orElseThrow();
    }

    /**
     * Checks that this authority can sign at {@code now}.
     *
     * @param what names the authority in the error, such as the files it came from
     * @throws InvalidAuthorityException saying what is wrong
     */
    public void check(Instant now, String what) {
        X509Certificate certificate = certificate();
        if (certificate.getBasicConstraints() < 0) {
            throw new InvalidAuthorityException(what + ": '" + certificate.getSubjectX500Principal().getName()
                    + "' is not a CA certificate (expected basicConstraints CA:TRUE)");
        }
        boolean[] usage = certificate.getKeyUsage();
        if (usage != null && !usage[5]) {
            throw new InvalidAuthorityException(what + ": '" + certificate.getSubjectX500Principal().getName()
                    + "' may not sign certificates (expected keyUsage keyCertSign)");
        }
        Keys.checkMatches(key, certificate, what);
        for (X509Certificate c : chain) {
            if (now.isBefore(c.getNotBefore().toInstant())) {
                throw new InvalidAuthorityException(what + ": '" + c.getSubjectX500Principal().getName()
                        + "' is not valid before " + c.getNotBefore().toInstant() + " (it is " + now + ")");
            }
            if (now.isAfter(c.getNotAfter().toInstant())) {
                throw new InvalidAuthorityException(what + ": '" + c.getSubjectX500Principal().getName()
                        + "' expired at " + c.getNotAfter().toInstant() + " (it is " + now + ")");
            }
        }
    }

    X500Name subject() {
        return X500Name.getInstance(certificate().getSubjectX500Principal().getEncoded());
    }

    static JcaX509ExtensionUtils extensions() {
        return EXTENSIONS;
    }

    static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, Instant notBefore, Instant notAfter, PublicKey key) {
        return new JcaX509v3CertificateBuilder(issuer, serial(), Date.from(notBefore), Date.from(notAfter), subject, key);
    }

    /** 159 random bits: positive, under the 20-octet limit, and unguessable (CA/B Forum asks for at least 64). */
    static BigInteger serial() {
        return new BigInteger(159, SERIALS).setBit(0);
    }

    static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key) {
        return sign(builder, key, SignatureProviders.chosen());
    }

    static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key, Provider provider) {
        try {
            ContentSigner signer = new JcaContentSignerBuilder(Keys.signatureAlgorithm(key)).setProvider(provider).build(key);
            return Pem.toX509(builder.build(signer).getEncoded(), "new certificate");
        } catch (OperatorCreationException | IOException e) {
            throw new IllegalStateException("signing failed", e);
        }
    }

    static boolean isSelfSigned(X509Certificate certificate) {
        if (!certificate.getSubjectX500Principal().equals(certificate.getIssuerX500Principal())) {
            return false;
        }
        try {
            certificate.verify(certificate.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static Duration checkLifetime(Duration lifetime) {
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new IllegalArgumentException("lifetime: " + lifetime + " (expected: a positive duration)");
        }
        return lifetime;
    }

    private static JcaX509ExtensionUtils extensionUtils() {
        try {
            return new JcaX509ExtensionUtils();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is needed for key identifiers", e);
        }
    }
}

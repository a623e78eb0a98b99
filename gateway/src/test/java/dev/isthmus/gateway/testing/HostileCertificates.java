package dev.isthmus.gateway.testing;

import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.ca.CertificateAuthority;
import dev.isthmus.identity.ca.Keys;
import dev.isthmus.identity.client.CertifiedKey;
import dev.isthmus.identity.testing.TestPki;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates an attacker (or a careless operator) would present: every one is made by hand, so each
 * differs from a good leaf in exactly one way. All sign with ECDSA P-256, as good leaves do.
 */
public final class HostileCertificates {

    private static final SpiffeId PEER = TestPki.PEER;
    private static final String PEER_DNS = PEER.dnsName();

    private final TestPki pki;
    private final CertificateAuthority issuer;

    public HostileCertificates(TestPki pki) {
        this.pki = pki;
        this.issuer = pki.issuer();
    }

    /** A good leaf but for its extended key usage; {@code null} leaves the extension out. */
    public CertifiedKey withKeyUsage(KeyPurposeId... purposes) {
        return withKeyUsage(PEER, purposes);
    }

    /** A good leaf for {@code identity} but for its extended key usage; {@code null} leaves the extension out. */
    public CertifiedKey withKeyUsage(SpiffeId identity, KeyPurposeId... purposes) {
        return leaf("CN=eku", issuer, purposes, uri(identity.toString()), dns(identity.dnsName()));
    }

    public CertifiedKey withoutSan() {
        return leaf("CN=no-san", issuer, clientAndServer());
    }

    public CertifiedKey withDnsSanOnly() {
        return leaf("CN=dns-only", issuer, clientAndServer(), dns(PEER_DNS));
    }

    public CertifiedKey withTwoUriSans() {
        return leaf("CN=two-uris", issuer, clientAndServer(), uri(PEER.toString()),
                uri("spiffe://cluster.local/ns/isthmus-multicluster/sa/isthmus-gateway"));
    }

    /** A leaf whose issuer is another leaf (CA:FALSE) of the right anchor; the whole chain is sent. */
    public CertifiedKey signedByALeaf() {
        CertifiedKey notACa = leaf("CN=leaf-as-issuer", issuer, clientAndServer(), uri(PEER.toString()));
        KeyPair keys = Keys.generateP256();
        X509Certificate leaf = sign(new X500Name("CN=leaf-as-issuer"), new X500Name("CN=signed-by-a-leaf"), keys, notACa.key(),
                clientAndServer(), uri(PEER.toString()), dns(PEER_DNS));
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(leaf);
        chain.addAll(notACa.chain());
        return new CertifiedKey(keys.getPrivate(), chain);
    }

    /** A good leaf sent alone, without the issuer that links it to the anchor. */
    public CertifiedKey withoutIntermediate() {
        CertifiedKey good = pki.leaf(PEER);
        return new CertifiedKey(good.key(), List.of(good.leaf()));
    }

    /** A good leaf of another trust anchor with the same trust domain. */
    public static CertifiedKey fromAnotherAnchor() {
        return TestPki.create().leaf(PEER);
    }

    private static KeyPurposeId[] clientAndServer() {
        return new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth};
    }

    static GeneralName uri(String uri) {
        return new GeneralName(GeneralName.uniformResourceIdentifier, uri);
    }

    static GeneralName dns(String name) {
        return new GeneralName(GeneralName.dNSName, name);
    }

    private static CertifiedKey leaf(String subject, CertificateAuthority signer, KeyPurposeId[] purposes, GeneralName... sans) {
        KeyPair keys = Keys.generateP256();
        X509Certificate leaf = sign(X500Name.getInstance(signer.certificate().getSubjectX500Principal().getEncoded()),
                new X500Name(subject), keys, signer.key(), purposes, sans);
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(leaf);
        chain.addAll(signer.chain());
        return new CertifiedKey(keys.getPrivate(), chain);
    }

    private static X509Certificate sign(X500Name issuerName, X500Name subject, KeyPair keys, PrivateKey signingKey,
            KeyPurposeId[] purposes, GeneralName... sans) {
        Instant now = Instant.now();
        X509v3CertificateBuilder builder = new X509v3CertificateBuilder(issuerName, BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(Duration.ofHours(1))), subject,
                SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded()));
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            if (purposes != null) {
                builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes));
            }
            if (sans.length > 0) {
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans));
            }
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signingKey)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

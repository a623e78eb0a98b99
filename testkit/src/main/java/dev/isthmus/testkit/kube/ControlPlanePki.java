package dev.isthmus.testkit.kube;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The key material one throwaway control plane needs: a CA that signs the API server's serving
 * certificate and the admin's client certificate, and the key pair that signs service-account
 * tokens. ECDSA P-256 throughout, like the rest of Isthmus.
 */
final class ControlPlanePki {

    /** Kubernetes maps a client certificate's O to a group; this one bypasses RBAC. */
    static final String ADMIN_USER = "isthmus-admin";
    static final String ADMIN_GROUP = "system:masters";

    private static final Duration LIFETIME = Duration.ofDays(7);
    private static final Duration CLOCK_SKEW = Duration.ofHours(1);
    private static final char[] KEYSTORE_PASSWORD = "isthmus".toCharArray();

    private final SecureRandom random = new SecureRandom();
    final CertifiedKey ca;
    final CertifiedKey serving;
    final CertifiedKey admin;
    final KeyPair serviceAccountSigner;

    ControlPlanePki(String clusterName) {
        try {
            ca = selfSignedCa(new X500Name("CN=isthmus-test-ca-" + clusterName));
            serving = issue(new X500Name("CN=kube-apiserver"), KeyPurposeId.id_kp_serverAuth, new GeneralNames(
                    new GeneralName[] {
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                        new GeneralName(GeneralName.dNSName, "localhost"),
                    }));
            admin = issue(new X500Name("O=" + ADMIN_GROUP + ",CN=" + ADMIN_USER), KeyPurposeId.id_kp_clientAuth, null);
            serviceAccountSigner = newKeyPair();
        } catch (GeneralSecurityException | OperatorCreationException | java.io.IOException e) {
            throw new IllegalStateException("cannot generate test PKI for " + clusterName, e);
        }
    }

    /** TLS as the admin, trusting only this control plane's CA. */
    SSLContext adminSslContext() {
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("admin", admin.keyPair().getPrivate(), KEYSTORE_PASSWORD,
                    new X509Certificate[] {admin.certificate(), ca.certificate()});
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", ca.certificate());

            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, KEYSTORE_PASSWORD);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), random);
            return context;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot build the admin TLS context", e);
        }
    }

    private CertifiedKey selfSignedCa(X500Name subject)
            throws GeneralSecurityException, OperatorCreationException, java.io.IOException {
        KeyPair pair = newKeyPair();
        JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
        X509v3CertificateBuilder builder = builder(subject, subject, pair)
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                .addExtension(Extension.subjectKeyIdentifier, false,
                        extensions.createSubjectKeyIdentifier(pair.getPublic()));
        return new CertifiedKey(sign(builder, pair), pair);
    }

    private CertifiedKey issue(X500Name subject, KeyPurposeId purpose, GeneralNames sans)
            throws GeneralSecurityException, OperatorCreationException, java.io.IOException {
        KeyPair pair = newKeyPair();
        JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
        X509v3CertificateBuilder builder = builder(X500Name.getInstance(
                        ca.certificate().getSubjectX500Principal().getEncoded()), subject, pair)
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose))
                .addExtension(Extension.authorityKeyIdentifier, false,
                        extensions.createAuthorityKeyIdentifier(ca.certificate()));
        if (sans != null) {
            builder.addExtension(Extension.subjectAlternativeName, false, sans);
        }
        return new CertifiedKey(sign(builder, ca.keyPair()), pair);
    }

    private X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair subjectKeys) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, new BigInteger(127, random).add(BigInteger.ONE),
                Date.from(now.minus(CLOCK_SKEW)), Date.from(now.plus(LIFETIME)), subject, subjectKeys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer)
            throws GeneralSecurityException, OperatorCreationException {
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
    }

    private KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), random);
        return generator.generateKeyPair();
    }
}

package dev.isthmus.identity.ca;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/** Reads the certificate fields the tests check, with BouncyCastle rather than the code under test. */
final class CertificateFacts {

    private CertificateFacts() {}

    static boolean isP256(X509Certificate certificate) {
        SubjectPublicKeyInfo info = SubjectPublicKeyInfo.getInstance(certificate.getPublicKey().getEncoded());
        return X9ObjectIdentifiers.id_ecPublicKey.equals(info.getAlgorithm().getAlgorithm())
                && SECObjectIdentifiers.secp256r1.equals((ASN1ObjectIdentifier) info.getAlgorithm().getParameters());
    }

    static Extension extension(X509Certificate certificate, ASN1ObjectIdentifier oid) {
        try {
            return new JcaX509CertificateHolder(certificate).getExtension(oid);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static BasicConstraints basicConstraints(X509Certificate certificate) {
        return BasicConstraints.getInstance(extension(certificate, Extension.basicConstraints).getParsedValue());
    }

    static byte[] subjectKeyId(X509Certificate certificate) {
        return SubjectKeyIdentifier.getInstance(extension(certificate, Extension.subjectKeyIdentifier).getParsedValue())
                .getKeyIdentifier();
    }

    static byte[] authorityKeyId(X509Certificate certificate) {
        return AuthorityKeyIdentifier.getInstance(extension(certificate, Extension.authorityKeyIdentifier).getParsedValue())
                .getKeyIdentifierOctets();
    }

    /** RFC 5280 4.2.1.2 method (1): the SHA-1 of the subject public key's bits. */
    static byte[] sha1KeyId(X509Certificate certificate) {
        try {
            return MessageDigest.getInstance("SHA-1").digest(
                    SubjectPublicKeyInfo.getInstance(certificate.getPublicKey().getEncoded()).getPublicKeyData().getBytes());
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}

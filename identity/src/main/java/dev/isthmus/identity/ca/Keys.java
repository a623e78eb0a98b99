package dev.isthmus.identity.ca;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.cert.X509Certificate;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/** Key generation and the few facts about keys that issuing depends on. */
public final class Keys {

    private static final SecureRandom RANDOM = new SecureRandom();

    private Keys() {}

    /** A fresh ECDSA P-256 key pair, the only kind of key Isthmus issues. */
    public static KeyPair generateP256() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot generate EC P-256 keys", e);
        }
    }

    /** The signature algorithm a CA key signs with. CAs made elsewhere may use P-384 or RSA. */
    public static String signatureAlgorithm(PrivateKey key) {
        if (key instanceof ECKey ec) {
            int bits = ec.getParams().getOrder().bitLength();
            return bits > 384 ? "SHA512withECDSA" : bits > 256 ? "SHA384withECDSA" : "SHA256withECDSA";
        }
        if (key instanceof RSAKey) {
            return "SHA256withRSA";
        }
        throw new InvalidAuthorityException("CA key type " + key.getAlgorithm() + " is not supported (expected: EC or RSA)");
    }

    /**
     * {@code key} as a {@code provider} key, converted once: BouncyCastle keeps the curve's precomputed
     * tables only with its own keys, so a JDK key made each signature about three times dearer; and any
     * provider converts a foreign key when a signer is initialised, which is once per leaf.
     */
    static PrivateKey forSigning(PrivateKey key, Provider provider) {
        try {
            return KeyFactory.getInstance(key.getAlgorithm(), provider)
                    .generatePrivate(new PKCS8EncodedKeySpec(key.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new InvalidAuthorityException("CA key type " + key.getAlgorithm() + " cannot sign: " + e.getMessage(), e);
        }
    }

    /** True when the key is an EC key on the NIST P-256 curve. */
    public static boolean isP256(SubjectPublicKeyInfo info) {
        ASN1ObjectIdentifier algorithm = info.getAlgorithm().getAlgorithm();
        return X9ObjectIdentifiers.id_ecPublicKey.equals(algorithm)
                && SECObjectIdentifiers.secp256r1.equals(info.getAlgorithm().getParameters());
    }

    /** "EC P-256", "RSA 2048" … for error messages. */
    public static String describe(SubjectPublicKeyInfo info) {
        ASN1ObjectIdentifier algorithm = info.getAlgorithm().getAlgorithm();
        if (X9ObjectIdentifiers.id_ecPublicKey.equals(algorithm)) {
            Object curve = info.getAlgorithm().getParameters();
            return SECObjectIdentifiers.secp256r1.equals(curve) ? "EC P-256"
                    : SECObjectIdentifiers.secp384r1.equals(curve) ? "EC P-384" : "EC on curve " + curve;
        }
        if (PKCSObjectIdentifiers.rsaEncryption.equals(algorithm)) {
            return "RSA";
        }
        if (EdECObjectIdentifiers.id_Ed25519.equals(algorithm)) {
            return "Ed25519";
        }
        return "algorithm " + algorithm;
    }

    /**
     * Checks that {@code key} is the private half of {@code certificate}'s public key, by signing a random
     * challenge and verifying it: works for every key type and needs no curve arithmetic of our own.
     */
    public static void checkMatches(PrivateKey key, X509Certificate certificate, String what) {
        PublicKey publicKey = certificate.getPublicKey();
        try {
            if (!key.getAlgorithm().equals(publicKey.getAlgorithm())) {
                throw new InvalidAuthorityException(what + ": the key is " + key.getAlgorithm()
                        + " but the certificate holds a " + publicKey.getAlgorithm() + " key (expected the matching key)");
            }
            byte[] challenge = new byte[32];
            RANDOM.nextBytes(challenge);
            String algorithm = signatureAlgorithm(key);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            if (!verifier.verify(signature)) {
                throw new InvalidAuthorityException(what + ": the key does not match the certificate '"
                        + certificate.getSubjectX500Principal().getName() + "' (expected the key the certificate was made for)");
            }
        } catch (GeneralSecurityException e) {
            throw new InvalidAuthorityException(what + ": the key does not match the certificate: " + e.getMessage(), e);
        }
    }
}

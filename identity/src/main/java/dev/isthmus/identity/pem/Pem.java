package dev.isthmus.identity.pem;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * PEM in and out. Reads what {@code openssl} and {@code step} write: certificates and bundles of them,
 * PKCS#8 ({@code PRIVATE KEY}) and SEC1 ({@code EC PRIVATE KEY}, optionally after {@code EC PARAMETERS})
 * keys; writes certificates and PKCS#8 keys. Keys come back as JDK keys, so signing uses the platform's
 * provider and Netty accepts them as they are.
 *
 * <p>Every error names the source and what was expected there.
 */
public final class Pem {

    private static final Base64.Encoder MIME = Base64.getMimeEncoder(64, "\n".getBytes(US_ASCII));

    private Pem() {}

    /** All certificates in {@code pem}, in order; at least one. */
    public static List<X509Certificate> certificates(String pem, String source) {
        List<X509Certificate> certificates = new ArrayList<>();
        for (Object block : blocks(pem, source)) {
            if (!(block instanceof X509CertificateHolder holder)) {
                throw new PemException(source + ": found " + describe(block) + " where a CERTIFICATE block was expected");
            }
            certificates.add(toX509(encoded(holder, source), source));
        }
        if (certificates.isEmpty()) {
            throw new PemException(source + ": no PEM CERTIFICATE block found (expected '-----BEGIN CERTIFICATE-----')");
        }
        return List.copyOf(certificates);
    }

    /** The one private key in {@code pem}. */
    public static PrivateKey privateKey(String pem, String source) {
        PrivateKeyInfo found = null;
        for (Object block : blocks(pem, source)) {
            PrivateKeyInfo info;
            if (block instanceof PrivateKeyInfo pkcs8) {
                info = pkcs8;
            } else if (block instanceof PEMKeyPair sec1) {
                info = sec1.getPrivateKeyInfo();
            } else if (block instanceof ASN1ObjectIdentifier) {
                continue; // "EC PARAMETERS", as `openssl ecparam -genkey` writes before the key
            } else if (block instanceof PKCS8EncryptedPrivateKeyInfo || block instanceof PEMEncryptedKeyPair) {
                throw new PemException(source + ": the private key is encrypted (expected an unencrypted key;"
                        + " decrypt it with 'openssl pkey -in KEY -out KEY.plain')");
            } else {
                throw new PemException(source + ": found " + describe(block)
                        + " where a PRIVATE KEY or EC PRIVATE KEY block was expected");
            }
            if (found != null) {
                throw new PemException(source + ": holds more than one private key (expected exactly one)");
            }
            found = info;
        }
        if (found == null) {
            throw new PemException(source + ": no PEM private key block found"
                    + " (expected '-----BEGIN PRIVATE KEY-----' or '-----BEGIN EC PRIVATE KEY-----')");
        }
        try {
            return new JcaPEMKeyConverter().getPrivateKey(found);
        } catch (IOException e) {
            throw new PemException(source + ": the private key cannot be read: " + e.getMessage(), e);
        }
    }

    /** The one certificate signing request in {@code pem}. */
    public static PKCS10CertificationRequest certificateRequest(String pem, String source) {
        List<Object> blocks = blocks(pem, source);
        if (blocks.size() != 1 || !(blocks.get(0) instanceof PKCS10CertificationRequest csr)) {
            throw new PemException(source + ": expected exactly one CERTIFICATE REQUEST block, found "
                    + (blocks.isEmpty() ? "none" : blocks.stream().map(Pem::describe).toList()));
        }
        return csr;
    }

    public static String encode(X509Certificate certificate) {
        try {
            return block("CERTIFICATE", certificate.getEncoded());
        } catch (CertificateException e) {
            throw new IllegalStateException("certificate cannot be encoded", e);
        }
    }

    public static String encode(List<X509Certificate> chain) {
        StringBuilder out = new StringBuilder();
        chain.forEach(c -> out.append(encode(c)));
        return out.toString();
    }

    /** PKCS#8, which every TLS library reads. */
    public static String encode(PrivateKey key) {
        if (!"PKCS#8".equals(key.getFormat())) {
            throw new IllegalArgumentException("key format " + key.getFormat() + " (expected: PKCS#8)");
        }
        return block("PRIVATE KEY", key.getEncoded());
    }

    public static String encode(PKCS10CertificationRequest csr) {
        try {
            return block("CERTIFICATE REQUEST", csr.getEncoded());
        } catch (IOException e) {
            throw new IllegalStateException("certificate request cannot be encoded", e);
        }
    }

    public static String block(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + MIME.encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    /** Parses DER; the JDK's certificate classes are what TLS stacks take. */
    public static X509Certificate toX509(byte[] der, String source) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException e) {
            throw new PemException(source + ": not a valid X.509 certificate: " + e.getMessage(), e);
        }
    }

    private static List<Object> blocks(String pem, String source) {
        List<Object> blocks = new ArrayList<>();
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            for (Object block; (block = parser.readObject()) != null; ) {
                blocks.add(block);
            }
        } catch (IOException | RuntimeException e) {
            throw new PemException(source + ": malformed PEM: " + e.getMessage(), e);
        }
        return blocks;
    }

    private static byte[] encoded(X509CertificateHolder holder, String source) {
        try {
            return holder.getEncoded();
        } catch (IOException e) {
            throw new PemException(source + ": certificate cannot be encoded: " + e.getMessage(), e);
        }
    }

    private static String describe(Object block) {
        if (block instanceof X509CertificateHolder) return "a CERTIFICATE block";
        if (block instanceof PrivateKeyInfo || block instanceof PEMKeyPair) return "a private key block";
        if (block instanceof PKCS10CertificationRequest) return "a CERTIFICATE REQUEST block";
        return "a block of type " + block.getClass().getSimpleName();
    }
}

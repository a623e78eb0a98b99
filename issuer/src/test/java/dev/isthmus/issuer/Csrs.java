package dev.isthmus.issuer;

import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.ca.CertificateRequests;
import dev.isthmus.identity.ca.Keys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** Certificate signing requests, good and bad, as DER. */
final class Csrs {

    private Csrs() {}

    static byte[] valid(SpiffeId identity) {
        return der(CertificateRequests.create(Keys.generateP256(), identity));
    }

    static byte[] valid(KeyPair keys, SpiffeId identity) {
        return der(CertificateRequests.create(keys, identity));
    }

    /** Right names, wrong kind of key. */
    static byte[] rsaKey(SpiffeId identity) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return der(CertificateRequests.create(generator.generateKeyPair(), identity));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The identity's two SANs plus an IP address. */
    static byte[] extraIpSan(SpiffeId identity) {
        try {
            return withSans(new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.uniformResourceIdentifier, identity.toString()),
                new GeneralName(GeneralName.dNSName, identity.dnsName()),
                new GeneralName(GeneralName.iPAddress, "10.0.0.1")
            }).getEncoded());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A SAN extension whose value is not a list of names at all. */
    static byte[] malformedSan() {
        try {
            return withSans(new DERUTF8String("not general names").getEncoded());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A valid request with one bit of its signature flipped. */
    static byte[] badSignature(SpiffeId identity) {
        byte[] der = valid(identity);
        // The signature BIT STRING ends the encoding; its last byte is part of the ECDSA value s.
        der[der.length - 1] ^= 0x01;
        return der;
    }

    private static byte[] withSans(byte[] encodedSans) {
        try {
            KeyPair keys = Keys.generateP256();
            ExtensionsGenerator extensions = new ExtensionsGenerator();
            extensions.addExtension(new Extension(Extension.subjectAlternativeName, false, new DEROctetString(encodedSans)));
            return der(new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=test"), keys.getPublic())
                    .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
        } catch (OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] der(PKCS10CertificationRequest csr) {
        try {
            return csr.getEncoded();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package dev.isthmus.identity.ca;

import dev.isthmus.identity.SpiffeId;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Provider;
import java.security.Signature;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.DefaultAlgorithmNameFinder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * What a workload may ask for: a PKCS#10 request signed by its own EC P-256 key, whose subject
 * alternative names are exactly one identity — its SPIFFE URI and its DNS form, nothing else. The
 * subject and any other requested extension are ignored: the issued certificate is built from the
 * identity alone.
 */
public final class CertificateRequests {

    private static final String EXPECTED_SANS = "(expected: exactly one URI SAN spiffe://<td>/ns/<ns>/sa/<sa>"
            + " and the one DNS SAN <sa>.<ns>.serviceaccount.identity.isthmus.<td>)";

    private static final DefaultAlgorithmNameFinder SIGNATURE_NAMES = new DefaultAlgorithmNameFinder();

    private CertificateRequests() {}

    /** The request a workload sends for {@code identity}, signed with its own key. */
    public static PKCS10CertificationRequest create(KeyPair keys, SpiffeId identity) {
        try {
            ExtensionsGenerator extensions = new ExtensionsGenerator();
            extensions.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.uniformResourceIdentifier, identity.toString()),
                new GeneralName(GeneralName.dNSName, identity.dnsName())
            }));
            return new JcaPKCS10CertificationRequestBuilder(LeafIssuer.subject(identity), keys.getPublic())
                    .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate())
                    .build(new JcaContentSignerBuilder(Keys.signatureAlgorithm(keys.getPrivate())).build(keys.getPrivate()));
        } catch (IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot build a certificate request", e);
        }
    }

    /**
     * Validates {@code csr} and returns the identity it asks for.
     *
     * @throws CertificateRequestException naming the first thing that is wrong
     */
    public static SpiffeId validate(PKCS10CertificationRequest csr) {
        return validate(csr, SignatureProviders.chosen());
    }

    /** {@link #validate(PKCS10CertificationRequest)}, checking the signature with {@code provider}. */
    public static SpiffeId validate(PKCS10CertificationRequest csr, Provider provider) {
        if (!Keys.isP256(csr.getSubjectPublicKeyInfo())) {
            throw new CertificateRequestException("the request's key is " + Keys.describe(csr.getSubjectPublicKeyInfo())
                    + " (expected: EC P-256)");
        }
        checkSignature(csr, provider);
        return requestedIdentity(csr);
    }

    private static void checkSignature(PKCS10CertificationRequest csr, Provider provider) {
        boolean valid;
        try {
            // A plain JCA verification: BouncyCastle's ContentVerifier for EC keys verifies every signature twice
            // (its raw-signature variant verifies again in a finally block), which halved validation throughput.
            Signature verifier = Signature.getInstance(
                    SIGNATURE_NAMES.getAlgorithmName(csr.getSignatureAlgorithm()), provider);
            verifier.initVerify(new JcaPEMKeyConverter().setProvider(provider)
                    .getPublicKey(csr.getSubjectPublicKeyInfo()));
            verifier.update(csr.toASN1Structure().getCertificationRequestInfo().getEncoded(ASN1Encoding.DER));
            valid = verifier.verify(csr.getSignature());
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new CertificateRequestException("the request's signature cannot be checked: " + e.getMessage()
                    + " (expected: signed with SHA256withECDSA by the request's own key)", e);
        }
        if (!valid) {
            throw new CertificateRequestException("the request's signature does not verify with its public key"
                    + " (expected: signed by the key it asks a certificate for)");
        }
    }

    private static SpiffeId requestedIdentity(PKCS10CertificationRequest csr) {
        Attribute[] requests = csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest);
        if (requests.length != 1 || requests[0].getAttrValues().size() != 1) {
            throw new CertificateRequestException("the request has " + (requests.length == 0 ? "no" : "more than one")
                    + " extension request " + EXPECTED_SANS);
        }
        Extensions extensions;
        try {
            extensions = Extensions.getInstance(requests[0].getAttrValues().getObjectAt(0));
        } catch (RuntimeException e) {
            throw new CertificateRequestException("the request's extensions are malformed: " + e.getMessage(), e);
        }
        GeneralNames names;
        try {
            names = GeneralNames.fromExtensions(extensions, Extension.subjectAlternativeName);
        } catch (RuntimeException e) {
            throw new CertificateRequestException("the request's subject alternative names are malformed: " + e.getMessage()
                    + " " + EXPECTED_SANS, e);
        }
        if (names == null) {
            throw new CertificateRequestException("the request has no subject alternative names " + EXPECTED_SANS);
        }
        List<String> uris = new ArrayList<>();
        List<String> dnsNames = new ArrayList<>();
        for (GeneralName name : names.getNames()) {
            ASN1Encodable value = name.getName();
            switch (name.getTagNo()) {
                case GeneralName.uniformResourceIdentifier -> uris.add(value.toString());
                case GeneralName.dNSName -> dnsNames.add(value.toString());
                default -> throw new CertificateRequestException("the request has a SAN of type " + typeName(name.getTagNo())
                        + " " + EXPECTED_SANS);
            }
        }
        if (uris.size() != 1 || dnsNames.size() != 1) {
            throw new CertificateRequestException("the request has " + uris.size() + " URI and " + dnsNames.size()
                    + " DNS SANs " + EXPECTED_SANS);
        }
        SpiffeId identity;
        try {
            identity = SpiffeId.parse(uris.get(0));
        } catch (IllegalArgumentException e) {
            throw new CertificateRequestException("the request's URI SAN is not a workload identity: " + e.getMessage(), e);
        }
        if (!identity.dnsName().equals(dnsNames.get(0))) {
            throw new CertificateRequestException("the request's DNS SAN '" + dnsNames.get(0) + "' is not the DNS form of "
                    + identity + " (expected: " + identity.dnsName() + ")");
        }
        return identity;
    }

    private static String typeName(int tag) {
        return switch (tag) {
            case GeneralName.otherName -> "otherName";
            case GeneralName.rfc822Name -> "email";
            case GeneralName.x400Address -> "x400Address";
            case GeneralName.directoryName -> "directoryName";
            case GeneralName.ediPartyName -> "ediPartyName";
            case GeneralName.iPAddress -> "IP address";
            case GeneralName.registeredID -> "registeredID";
            default -> "tag " + tag;
        };
    }
}

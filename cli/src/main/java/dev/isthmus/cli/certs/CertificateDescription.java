package dev.isthmus.cli.certs;

import dev.isthmus.identity.ca.Keys;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/** The facts about a certificate a person checks, in the order they check them. */
final class CertificateDescription {

    private static final String[] SAN_TYPES = {"otherName", "email", "DNS", "x400", "dirName", "edi", "URI", "IP", "RID"};
    private static final String[] EKU_NAMES = {"1.3.6.1.5.5.7.3.1", "serverAuth", "1.3.6.1.5.5.7.3.2", "clientAuth"};

    private CertificateDescription() {}

    static List<String[]> of(X509Certificate certificate, Instant now) {
        List<String[]> rows = new ArrayList<>();
        rows.add(row("subject", certificate.getSubjectX500Principal().getName()));
        rows.add(row("issuer", certificate.getIssuerX500Principal().getName()));
        rows.add(row("serial", certificate.getSerialNumber().toString(16)));
        rows.add(row("valid", certificate.getNotBefore().toInstant() + " to " + certificate.getNotAfter().toInstant()
                + " (" + validity(certificate, now) + ")"));
        rows.add(row("key", Keys.describe(SubjectPublicKeyInfo.getInstance(certificate.getPublicKey().getEncoded()))));
        int pathLength = certificate.getBasicConstraints();
        rows.add(row("CA", pathLength < 0 ? "no"
                : "yes" + (pathLength == Integer.MAX_VALUE ? ", no path length limit" : ", path length " + pathLength)));
        rows.add(row("usage", usage(certificate)));
        rows.add(row("SANs", sans(certificate)));
        rows.add(row("SHA-256", fingerprint(certificate)));
        return rows;
    }

    static String fingerprint(X509Certificate certificate) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String validity(X509Certificate certificate, Instant now) {
        Instant notBefore = certificate.getNotBefore().toInstant();
        Instant notAfter = certificate.getNotAfter().toInstant();
        if (now.isBefore(notBefore)) {
            return "NOT YET VALID: starts in " + human(Duration.between(now, notBefore));
        }
        if (now.isAfter(notAfter)) {
            return "EXPIRED " + human(Duration.between(notAfter, now)) + " ago";
        }
        return "expires in " + human(Duration.between(now, notAfter));
    }

    static String human(Duration duration) {
        long days = duration.toDays();
        if (days >= 2) {
            return days + "d";
        }
        long hours = duration.toHours();
        long minutes = duration.toMinutesPart();
        return hours > 0 ? hours + "h" + minutes + "m" : minutes > 0 ? minutes + "m" + duration.toSecondsPart() + "s"
                : duration.toSeconds() + "s";
    }

    private static String usage(X509Certificate certificate) {
        List<String> usages = new ArrayList<>();
        boolean[] keyUsage = certificate.getKeyUsage();
        String[] names = {"digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment", "keyAgreement",
            "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly"};
        if (keyUsage != null) {
            for (int i = 0; i < keyUsage.length && i < names.length; i++) {
                if (keyUsage[i]) {
                    usages.add(names[i]);
                }
            }
        }
        try {
            List<String> extended = certificate.getExtendedKeyUsage();
            if (extended != null) {
                for (String oid : extended) {
                    usages.add(oid.equals(EKU_NAMES[0]) ? EKU_NAMES[1] : oid.equals(EKU_NAMES[2]) ? EKU_NAMES[3] : oid);
                }
            }
        } catch (CertificateParsingException e) {
            usages.add("(malformed extended key usage)");
        }
        return usages.isEmpty() ? "(none)" : String.join(", ", usages);
    }

    private static String sans(X509Certificate certificate) {
        try {
            Collection<List<?>> names = certificate.getSubjectAlternativeNames();
            if (names == null) {
                return "(none)";
            }
            List<String> out = new ArrayList<>();
            for (List<?> name : names) {
                int type = (Integer) name.get(0);
                out.add((type < SAN_TYPES.length ? SAN_TYPES[type] : "type " + type) + ":" + name.get(1));
            }
            return String.join(", ", out);
        } catch (CertificateParsingException e) {
            return "(malformed: " + e.getMessage() + ")";
        }
    }

    private static String[] row(String name, String value) {
        return new String[] {name, value};
    }
}

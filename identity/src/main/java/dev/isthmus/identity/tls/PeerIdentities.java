package dev.isthmus.identity.tls;

import dev.isthmus.identity.SpiffeId;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;

/** Reads the workload identity a certificate carries in its URI SAN. */
public final class PeerIdentities {

    private static final int URI_SAN = 6;

    private PeerIdentities() {}

    /**
     * The one SPIFFE identity of {@code certificate}.
     *
     * @throws IllegalArgumentException if it carries none, several, or a malformed one
     */
    public static SpiffeId of(X509Certificate certificate) {
        Collection<List<?>> names;
        try {
            names = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            throw new IllegalArgumentException("certificate '" + certificate.getSubjectX500Principal().getName()
                    + "' has malformed subject alternative names", e);
        }
        SpiffeId found = null;
        if (names != null) {
            for (List<?> name : names) {
                if (((Integer) name.get(0)) == URI_SAN && name.get(1).toString().startsWith("spiffe://")) {
                    if (found != null) {
                        throw new IllegalArgumentException("certificate '" + certificate.getSubjectX500Principal().getName()
                                + "' names more than one SPIFFE identity (expected exactly one)");
                    }
                    found = SpiffeId.parse(name.get(1).toString());
                }
            }
        }
        if (found == null) {
            throw new IllegalArgumentException("certificate '" + certificate.getSubjectX500Principal().getName()
                    + "' has no SPIFFE identity (expected a URI SAN spiffe://<td>/ns/<ns>/sa/<sa>)");
        }
        return found;
    }
}

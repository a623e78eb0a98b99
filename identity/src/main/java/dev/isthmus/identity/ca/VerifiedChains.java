package dev.isthmus.identity.ca;

import java.io.ByteArrayOutputStream;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Date;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Chains that one {@link TrustAnchors} already validated in full, so that a peer presenting the same chain on
 * every connection (a gateway presents one workload certificate for its whole ~24 h life, on every connection
 * and probe) costs one PKIX validation rather than one per handshake.
 *
 * <p>What is remembered cannot widen what is trusted:
 * <ul>
 *   <li>the key is the exact DER bytes of every certificate of the chain as presented, in order: another leaf,
 *       even one differing in a single signature byte, is another key and is validated in full;</li>
 *   <li>only chains that passed are added, so refused chains, however many, leave nothing behind;</li>
 *   <li>a hit still needs the time of the check inside every certificate's validity period (the entry keeps
 *       the intersection of those periods, which the exact bytes fix); outside it, the chain is validated in
 *       full again, which refuses it with PKIX's own reason;</li>
 *   <li>each {@link TrustAnchors} has its own, so rotated anchors (a new instance) inherit nothing.</li>
 * </ul>
 * PKIX's other checks depend on the bytes and the anchors alone (revocation is not checked).
 *
 * <p>At most {@code capacity} chains are kept (plus, briefly, one per thread adding at the same moment). When
 * full, adding a chain first forgets the chains that have expired, then arbitrary ones until there is room; a
 * forgotten chain is validated in full at its next use. Thread-safe: every event loop calls it.
 */
final class VerifiedChains {

    /** Far more chains than peer gateways (and their renewed certificates) one gateway sees; ~1 KiB each. */
    static final int DEFAULT_CAPACITY = 1024;

    private final int capacity;
    private final Map<Key, Validity> chains = new ConcurrentHashMap<>();

    VerifiedChains(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: at least 1)");
        }
        this.capacity = capacity;
    }

    /** The key of {@code chain}; {@code null} if a certificate cannot be encoded, which then is never remembered. */
    static Key key(List<X509Certificate> chain) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024 * chain.size());
        try {
            for (X509Certificate certificate : chain) {
                // DER encodes its own length, so the concatenation is unambiguous.
                bytes.writeBytes(certificate.getEncoded());
            }
        } catch (CertificateEncodingException e) {
            return null;
        }
        return new Key(bytes.toByteArray());
    }

    /** Whether the chain of {@code key} was validated and every certificate of it is valid at {@code at}. */
    boolean contains(Key key, Date at) {
        Validity validity = chains.get(key);
        if (validity == null) {
            return false;
        }
        long time = at.getTime();
        if (time > validity.notAfter()) {
            chains.remove(key, validity); // expired for good: make room
            return false;
        }
        return time >= validity.notBefore();
    }

    /** Remembers a chain that PKIX accepted; {@code path} is what PKIX validated (the chain without anchors). */
    void add(Key key, List<X509Certificate> path, Date at) {
        long notBefore = Long.MIN_VALUE;
        long notAfter = Long.MAX_VALUE;
        for (X509Certificate certificate : path) {
            notBefore = Math.max(notBefore, certificate.getNotBefore().getTime());
            notAfter = Math.min(notAfter, certificate.getNotAfter().getTime());
        }
        if (chains.size() >= capacity) {
            makeRoom(at.getTime());
        }
        chains.put(key, new Validity(notBefore, notAfter));
    }

    private void makeRoom(long now) {
        chains.values().removeIf(validity -> validity.notAfter() < now);
        Iterator<Key> keys = chains.keySet().iterator();
        while (chains.size() >= capacity && keys.hasNext()) {
            keys.next();
            keys.remove();
        }
    }

    int size() {
        return chains.size();
    }

    /** The exact bytes of a chain. */
    static final class Key {
        private final byte[] der;
        private final int hash;

        private Key(byte[] der) {
            this.der = der;
            this.hash = Arrays.hashCode(der);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && hash == key.hash && Arrays.equals(der, key.der);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** The instants (milliseconds, as PKIX compares them) between which every certificate of the chain is valid. */
    private record Validity(long notBefore, long notAfter) {}
}

package dev.isthmus.identity;

import static java.util.Objects.requireNonNull;

import java.net.URI;

/**
 * A workload identity: {@code spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>}.
 *
 * <p>Every identity also has a DNS form, {@code <sa>.<ns>.serviceaccount.identity.isthmus.<trust-domain>},
 * which certificates carry as a DNS SAN beside the URI SAN so that TLS stacks that only know DNS names
 * (and SNI) can still name a peer.
 */
public record SpiffeId(String trustDomain, String namespace, String serviceAccount) {

    public static final String DEFAULT_TRUST_DOMAIN = "cluster.local";

    private static final String DNS_INFIX = ".serviceaccount.identity.isthmus.";

    public SpiffeId {
        checkTrustDomain(trustDomain);
        checkLabel("namespace", namespace);
        checkLabel("service account", serviceAccount);
    }

    /**
     * Parses {@code spiffe://td/ns/NS/sa/SA}.
     *
     * @throws IllegalArgumentException naming what is wrong and the expected form
     */
    public static SpiffeId parse(String text) {
        requireNonNull(text, "text");
        String expected = " (expected: spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>)";
        if (!text.startsWith("spiffe://")) {
            throw new IllegalArgumentException("identity '" + text + "' is not a SPIFFE ID" + expected);
        }
        String rest = text.substring("spiffe://".length());
        int slash = rest.indexOf('/');
        if (slash <= 0) {
            throw new IllegalArgumentException("identity '" + text + "' has no trust domain or path" + expected);
        }
        String[] path = rest.substring(slash + 1).split("/", -1);
        if (path.length != 4 || !path[0].equals("ns") || !path[2].equals("sa")) {
            throw new IllegalArgumentException("identity '" + text + "' has an unexpected path" + expected);
        }
        try {
            return new SpiffeId(rest.substring(0, slash), path[1], path[3]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("identity '" + text + "': " + e.getMessage(), e);
        }
    }

    /** Parses the DNS form; {@code null} when {@code name} is not one. */
    public static SpiffeId fromDnsName(String name) {
        int infix = name.indexOf(DNS_INFIX);
        if (infix < 0) {
            return null;
        }
        String[] saNs = name.substring(0, infix).split("\\.", -1);
        if (saNs.length != 2) {
            return null;
        }
        try {
            return new SpiffeId(name.substring(infix + DNS_INFIX.length()), saNs[1], saNs[0]);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The Kubernetes username of this service account, as TokenReview reports it. */
    public String kubernetesUsername() {
        return "system:serviceaccount:" + namespace + ":" + serviceAccount;
    }

    public String dnsName() {
        return serviceAccount + "." + namespace + DNS_INFIX + trustDomain;
    }

    public URI uri() {
        return URI.create(toString());
    }

    @Override
    public String toString() {
        return "spiffe://" + trustDomain + "/ns/" + namespace + "/sa/" + serviceAccount;
    }

    public static String checkTrustDomain(String trustDomain) {
        requireNonNull(trustDomain, "trustDomain");
        if (trustDomain.length() > 253 || !isDomain(trustDomain)) {
            throw new IllegalArgumentException("trust domain '" + trustDomain
                    + "' is invalid (expected: lower-case DNS labels separated by dots, such as cluster.local)");
        }
        return trustDomain;
    }

    private static void checkLabel(String what, String value) {
        requireNonNull(value, what);
        if (!isLabel(value, 0, value.length())) {
            throw new IllegalArgumentException(what + " '" + value
                    + "' is invalid (expected: a DNS-1123 label, 1-63 of a-z, 0-9 and '-', starting and ending alphanumeric)");
        }
    }

    // Written out rather than as regular expressions: every handshake parses the peer's identity twice (the trust
    // manager and the authorization), and these are a tenth of the cost.

    /** Lower-case DNS labels separated by single dots: {@code label(.label)*}. */
    static boolean isDomain(String text) {
        int start = 0;
        while (true) {
            int dot = text.indexOf('.', start);
            if (!isLabel(text, start, dot < 0 ? text.length() : dot)) {
                return false;
            }
            if (dot < 0) {
                return true;
            }
            start = dot + 1;
        }
    }

    /**
     * Whether {@code text[from, to)} is a DNS-1123 label, what Kubernetes allows for a namespace and a service
     * account name: {@code [a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?}.
     */
    static boolean isLabel(String text, int from, int to) {
        int length = to - from;
        if (length < 1 || length > 63 || !isAlphanumeric(text.charAt(from)) || !isAlphanumeric(text.charAt(to - 1))) {
            return false;
        }
        for (int i = from + 1; i < to - 1; i++) {
            char c = text.charAt(i);
            if (c != '-' && !isAlphanumeric(c)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAlphanumeric(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    }
}

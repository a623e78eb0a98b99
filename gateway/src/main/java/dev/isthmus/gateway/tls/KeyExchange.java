package dev.isthmus.gateway.tls;

import static java.util.Objects.requireNonNull;

import io.netty.handler.ssl.OpenSslContextOption;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The key exchanges a gateway offers and accepts in its TLS 1.3 handshakes, most preferred first: the gateway file's
 * {@code tls.keyExchange}. Unset, it is the TLS library's list, which Netty puts the post-quantum hybrid
 * {@code X25519MLKEM768} first in (and which {@code -Djdk.tls.namedGroups} changes for the whole JVM). A gateway set to
 * {@code [X25519]} trades that protection of recorded traffic for about a quarter less CPU per new connection
 * (benchmarks/README.md, {@code handshakes}); a peer that offers both still connects.
 *
 * <p>Each name is checked here, so a misspelt one is an error naming it; through {@code jdk.tls.namedGroups}, Netty
 * drops a name it does not know and, if none is left, quietly uses its own list.
 */
public record KeyExchange(List<String> groups) {

    /** What BoringSSL calls each group it offers, by the names a user may write (its own and the JDK's), in lower case. */
    private static final Map<String, String> NAMES = Map.of(
            "x25519mlkem768", "X25519MLKEM768",
            "x25519", "X25519",
            "p-256", "P-256", "secp256r1", "P-256", "prime256v1", "P-256",
            "p-384", "P-384", "secp384r1", "P-384",
            "p-521", "P-521", "secp521r1", "P-521");

    private static final String EXPECTED = "X25519MLKEM768, X25519, P-256, P-384 or P-521";

    /** The TLS library's own list. */
    public static final KeyExchange DEFAULT = new KeyExchange(List.of());

    /**
     * @param groups BoringSSL's names, each once; none for the library's list
     * @throws IllegalArgumentException for any other name, or one given twice ({@link #of} takes the JDK's names too)
     */
    public KeyExchange {
        groups = List.copyOf(requireNonNull(groups, "groups"));
        for (int i = 0; i < groups.size(); i++) {
            String group = groups.get(i);
            if (!NAMES.containsValue(group) || groups.indexOf(group) != i) {
                throw new IllegalArgumentException("group '" + group + "' (expected each of " + EXPECTED + " at most once)");
            }
        }
    }

    /**
     * The groups named, in their order, each by BoringSSL's name.
     *
     * @throws IllegalArgumentException for an empty list, a name BoringSSL does not offer, or one named twice
     */
    public static KeyExchange of(List<String> names) {
        if (names.isEmpty()) {
            throw new IllegalArgumentException("an empty list (expected at least one of " + EXPECTED + ")");
        }
        List<String> groups = new ArrayList<>();
        for (String name : names) {
            String group = NAMES.get(name.strip().toLowerCase(Locale.ROOT));
            if (group == null) {
                throw new IllegalArgumentException("'" + name + "' (expected " + EXPECTED + ")");
            }
            if (groups.contains(group)) {
                throw new IllegalArgumentException("'" + name + "' is " + group + ", which the list already names (expected each once)");
            }
            groups.add(group);
        }
        return new KeyExchange(groups);
    }

    /**
     * Checks that {@code provider} applies the groups: only BoringSSL takes a list per context.
     *
     * @throws IllegalArgumentException for groups on another provider, which would offer its own list instead
     */
    public void requireSupportedBy(SslProvider provider) {
        if (!groups.isEmpty() && provider != SslProvider.OPENSSL) {
            throw new IllegalArgumentException("tls.keyExchange " + this + " needs BoringSSL (netty-tcnative), and this JVM's"
                    + " TLS is the JDK's (" + provider + "): leave tls.keyExchange out and set -Djdk.tls.namedGroups instead");
        }
    }

    /** Sets the groups on {@code builder}; the library's default leaves it as it is. */
    SslContextBuilder applyTo(SslContextBuilder builder, SslProvider provider) {
        if (groups.isEmpty()) {
            return builder;
        }
        requireSupportedBy(provider);
        return builder.option(OpenSslContextOption.GROUPS, groups.toArray(new String[0]));
    }

    @Override
    public String toString() {
        return groups.isEmpty() ? "the TLS library's default" : groups.toString();
    }
}

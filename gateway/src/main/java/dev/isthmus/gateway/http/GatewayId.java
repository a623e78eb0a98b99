package dev.isthmus.gateway.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.regex.Pattern;

/**
 * One gateway installation's name in the {@code Forwarded} header: the {@code by=} of the element it
 * appends, and what it looks for to notice a request that comes back to it (a loop). It is an RFC 7239
 * §6.3 obfuscated identifier ({@code _isthmus-<12 base32 characters>}), not the gateway's SPIFFE
 * identity, because every cluster's gateway has the same identity by default (as in Linkerd): keyed on
 * the identity, east took the element west added for its own and refused every request. All replicas
 * of one installation share the id (a loop through replica A and back through replica B is still a
 * loop), so it comes from the installation's configuration, not from the process.
 */
public record GatewayId(String value) {

    static final String PREFIX = "_isthmus-";
    /** RFC 7239's obfnode, {@code "_" 1*( ALPHA / DIGIT / "." / "_" / "-")}, bounded so a header stays small. */
    private static final Pattern OBFUSCATED_NODE = Pattern.compile("_[A-Za-z0-9._-]{1,63}");
    private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    private static final int TOKEN_CHARACTERS = 12;

    public GatewayId {
        requireNonNull(value, "value");
        if (!OBFUSCATED_NODE.matcher(value).matches()) {
            throw new IllegalArgumentException("gateway id: '" + value + "' (expected: an RFC 7239 obfuscated identifier,"
                    + " '_' and 1-63 letters, digits, '.', '_' or '-', such as " + PREFIX + "k3j5w2q7m4xa)");
        }
    }

    public static GatewayId parse(String value) {
        return new GatewayId(value);
    }

    /** A fresh id, for a gateway whose configuration names none: unique to this process. */
    public static GatewayId random() {
        byte[] seed = new byte[TOKEN_CHARACTERS];
        new SecureRandom().nextBytes(seed);
        return new GatewayId(PREFIX + base32(seed));
    }

    /**
     * The same id every time for the same {@code parts}: a re-printed installation keeps its id, so
     * {@code kubectl apply} of it changes nothing. The parts must name the installation uniquely (the
     * cluster's kube-system namespace UID does); the hash keeps them out of the requests it forwards.
     */
    public static GatewayId derivedFrom(String... parts) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update("isthmus gateway id".getBytes(UTF_8));
            for (String part : parts) {
                sha256.update((byte) 0);
                sha256.update(requireNonNull(part, "part").getBytes(UTF_8));
            }
            return new GatewayId(PREFIX + base32(sha256.digest()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** The first {@link #TOKEN_CHARACTERS} base32 characters of {@code bytes} (5 bits each). */
    private static String base32(byte[] bytes) {
        StringBuilder token = new StringBuilder(TOKEN_CHARACTERS);
        int buffer = 0;
        int bits = 0;
        for (int i = 0; token.length() < TOKEN_CHARACTERS; ) {
            if (bits < 5) {
                buffer = buffer << 8 | bytes[i++] & 0xff;
                bits += 8;
            }
            token.append(BASE32[buffer >>> bits - 5 & 31]);
            bits -= 5;
        }
        return token.toString();
    }

    @Override
    public String toString() {
        return value;
    }
}

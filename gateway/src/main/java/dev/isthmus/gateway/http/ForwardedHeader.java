package dev.isthmus.gateway.http;

import dev.isthmus.identity.SpiffeId;
import io.netty.util.AsciiString;
import java.util.List;

/**
 * The {@code Forwarded} header of RFC 7239: writing the element this gateway appends, and reading the
 * elements earlier hops appended, to notice a request that already passed through this gateway. The
 * {@code by} is the installation's {@link GatewayId}, never the SPIFFE identity, which other clusters'
 * gateways share.
 */
public final class ForwardedHeader {

    public static final AsciiString NAME = AsciiString.cached("forwarded");

    private ForwardedHeader() {}

    /** {@code by=<gateway>;for=<peer>;host=<host>;proto=<proto>}, each value quoted when it is not a token. */
    public static String element(GatewayId by, SpiffeId forPeer, String host, String proto) {
        return element(by, forPeer.toString(), host, proto);
    }

    /** The same, for a node that is not a peer gateway: an outbound client's address, say. */
    public static String element(GatewayId by, String forNode, String host, String proto) {
        return "by=" + value(by.value()) + ";for=" + value(forNode) + ";host=" + value(host) + ";proto=" + value(proto);
    }

    /**
     * True when any element of the given {@code Forwarded} header values has {@code by=<id>}, quoted or
     * not; parameter names are case-insensitive, as RFC 7239 says.
     */
    public static boolean hasBy(List<String> headerValues, String id) {
        for (String header : headerValues) {
            if (hasBy(header, id)) {
                return true;
            }
        }
        return false;
    }

    static boolean hasBy(String header, String id) {
        if (header.indexOf('\\') < 0 && !header.contains(id)) {
            // Asked of every request: without a quoted-pair, a by= of the id has the id in it as it is.
            return false;
        }
        int i = 0;
        int length = header.length();
        while (i < length) {
            i = skipSpaceAndSeparators(header, i);
            int keyStart = i;
            while (i < length && "=;,".indexOf(header.charAt(i)) < 0) {
                i++;
            }
            String key = header.substring(keyStart, i).trim();
            if (i >= length || header.charAt(i) != '=') {
                continue; // a pair without a value; nothing to compare
            }
            i = skipSpace(header, i + 1);
            StringBuilder value = new StringBuilder();
            if (i < length && header.charAt(i) == '"') {
                for (i++; i < length && header.charAt(i) != '"'; i++) {
                    char c = header.charAt(i);
                    if (c == '\\' && i + 1 < length) {
                        c = header.charAt(++i);
                    }
                    value.append(c);
                }
                i++; // the closing quote
            } else {
                for (; i < length && ";, \t".indexOf(header.charAt(i)) < 0; i++) {
                    value.append(header.charAt(i));
                }
            }
            if (key.equalsIgnoreCase("by") && value.toString().equals(id)) {
                return true;
            }
        }
        return false;
    }

    /** A token stays as it is; anything else (a SPIFFE ID has ':' and '/') becomes a quoted-string. */
    static String value(String raw) {
        if (isToken(raw)) {
            return raw;
        }
        StringBuilder quoted = new StringBuilder(raw.length() + 2).append('"');
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '"' || c == '\\') {
                quoted.append('\\');
            }
            quoted.append(c);
        }
        return quoted.append('"').toString();
    }

    private static boolean isToken(String raw) {
        if (raw.isEmpty()) {
            return false;
        }
        for (int i = 0; i < raw.length(); i++) {
            if (!isTokenChar(raw.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** RFC 9110 tchar. */
    private static boolean isTokenChar(int c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    private static int skipSpace(String s, int i) {
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }

    private static int skipSpaceAndSeparators(String s, int i) {
        while (i < s.length() && " \t;,".indexOf(s.charAt(i)) >= 0) {
            i++;
        }
        return i;
    }
}

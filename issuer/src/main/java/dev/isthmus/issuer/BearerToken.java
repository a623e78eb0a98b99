package dev.isthmus.issuer;

import java.util.List;
import java.util.regex.Pattern;

/** Reads the token out of an {@code Authorization: Bearer <token>} header (RFC 6750). */
final class BearerToken {

    /** RFC 6750's b64token: what a bearer token may consist of. */
    private static final Pattern TOKEN68 = Pattern.compile("[A-Za-z0-9\\-._~+/]+=*");
    private static final String EXPECTED = " (expected: Authorization: Bearer <token>)";

    private BearerToken() {}

    /**
     * The token in the request's Authorization headers.
     *
     * @throws TokenRejectedException if there is not exactly one header, or it is not a well-formed bearer token
     */
    static String from(List<String> authorizationHeaders) {
        if (authorizationHeaders.isEmpty()) {
            throw new TokenRejectedException("the request has no Authorization header" + EXPECTED);
        }
        if (authorizationHeaders.size() > 1) {
            throw new TokenRejectedException("the request has " + authorizationHeaders.size()
                    + " Authorization headers (expected: exactly one, Authorization: Bearer <token>)");
        }
        String value = authorizationHeaders.get(0).strip();
        int space = value.indexOf(' ');
        String scheme = space < 0 ? value : value.substring(0, space);
        if (!scheme.equalsIgnoreCase("Bearer")) {
            throw new TokenRejectedException("the Authorization header uses the scheme '" + printable(scheme) + "'" + EXPECTED);
        }
        String token = space < 0 ? "" : value.substring(space + 1).strip();
        if (token.isEmpty()) {
            throw new TokenRejectedException("the Authorization header has no token after 'Bearer'" + EXPECTED);
        }
        if (!isWellFormed(token)) {
            throw new TokenRejectedException("the bearer token holds characters a token may not contain"
                    + " (expected: letters, digits and -._~+/, optionally followed by '=')");
        }
        return token;
    }

    /** True if {@code token} can be sent in a bearer Authorization header as it is. */
    static boolean isWellFormed(String token) {
        return TOKEN68.matcher(token).matches();
    }

    /** The scheme is echoed back to the client, so it is cut short and stripped of anything unprintable. */
    private static String printable(String text) {
        String cut = text.length() > 20 ? text.substring(0, 20) + "…" : text;
        return cut.replaceAll("[^\\x20-\\x7e…]", "?");
    }
}

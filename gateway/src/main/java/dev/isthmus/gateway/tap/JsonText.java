package dev.isthmus.gateway.tap;

/** JSON strings for the admin server's hand-written JSON: a path or an identity may hold any character. */
public final class JsonText {

    private JsonText() {}

    /** Appends {@code text} as a JSON string, or {@code null}; quotes, backslashes and control characters escaped. */
    public static void string(StringBuilder json, String text) {
        if (text == null) {
            json.append("null");
            return;
        }
        json.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    // Also U+2028/2029, which some JavaScript readers take for line ends, and lone surrogates.
                    if (c < 0x20 || c == 0x2028 || c == 0x2029 || Character.isSurrogate(c)) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }
}

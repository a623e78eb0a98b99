package dev.isthmus.issuer;

/**
 * The one JSON shape the service writes, {@code {"error":"…","message":"…"}}: small enough not to need a
 * library. Everything outside printable ASCII is escaped as {@code \}{@code uXXXX}, so the output is
 * plain ASCII whatever the message holds (control characters, quotes, lone surrogates).
 */
final class Json {

    private Json() {}

    static String error(String code, String message) {
        return "{\"error\":" + quote(code) + ",\"message\":" + quote(message) + "}";
    }

    static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}

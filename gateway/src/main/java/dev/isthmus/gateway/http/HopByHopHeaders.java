package dev.isthmus.gateway.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http2.HttpConversionUtil.ExtensionHeaderNames;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Removes what belongs to one connection and must not cross the gateway (RFC 9110 section 7.6.1):
 * {@code Connection} and every header it names, {@code Keep-Alive}, {@code Proxy-Connection},
 * {@code Upgrade}, {@code Transfer-Encoding} (each side frames bodies its own way, and one side may be
 * HTTP/2), {@code TE} unless it asks for trailers, and the {@code x-http2-*} headers Netty's HTTP/2
 * conversion adds, which describe the stream on one side only.
 */
public final class HopByHopHeaders {

    /**
     * The names {@link #strip} removes by name, besides those a {@code Connection} field names: hop-by-hop fields, and the
     * {@code x-http2-*} extensions. Connection comes first (what it names goes before it does) and TE last (kept when it
     * asks for trailers); at most 32, as a bit each marks those a message carries.
     */
    private static final AsciiString[] REMOVED = removed();
    private static final int CONNECTION = 0;
    private static final int TE = REMOVED.length - 1;

    /**
     * Fields RFC 9110 section 6.5.1 keeps out of trailers because they frame or route the message. Netty's HTTP/1
     * decoder drops {@code Content-Length}, {@code Transfer-Encoding} and {@code Trailer} from trailers itself; the
     * HTTP/2 conversion drops nothing, so a peer's HTTP/2 trailers could hand a backend a second Content-Length.
     */
    private static final List<CharSequence> FRAMING_TRAILERS = List.of(HttpHeaderNames.CONTENT_LENGTH,
            HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.TRAILER, HttpHeaderNames.HOST);

    private HopByHopHeaders() {}

    /** What {@link #strip} removes, and the fields that frame or route a message, which have no place in trailers. */
    public static void stripTrailers(HttpHeaders trailers) {
        if (trailers.isEmpty()) {
            return;
        }
        strip(trailers);
        for (CharSequence name : FRAMING_TRAILERS) {
            trailers.remove(name);
        }
    }

    /**
     * One pass over the names finds which of {@link #REMOVED} the message carries, and only those are removed: most
     * messages carry none or one of them. Looking up each of the twelve names instead was 0.6-0.9 % of a gateway's
     * event loop in a profile of the cross path.
     */
    public static void strip(HttpHeaders headers) {
        if (headers.isEmpty()) {
            return;
        }
        int present = 0;
        for (Iterator<Map.Entry<CharSequence, CharSequence>> fields = headers.iteratorCharSequence(); fields.hasNext(); ) {
            present |= bitOf(fields.next().getKey());
        }
        if (present == 0) {
            return;
        }
        if ((present & 1 << CONNECTION) != 0) {
            stripNamedByConnection(headers);
        }
        for (int i = 0; i < TE; i++) {
            if ((present & 1 << i) != 0) {
                headers.remove(REMOVED[i]);
            }
        }
        if ((present & 1 << TE) != 0) {
            stripTe(headers);
        }
    }

    /** The bit of {@code name} among {@link #REMOVED}, in any ASCII case as {@link HttpHeaders}' own lookups; else 0. */
    private static int bitOf(CharSequence name) {
        int length = name.length();
        for (int i = 0; i < REMOVED.length; i++) {
            if (REMOVED[i].length() == length && AsciiString.contentEqualsIgnoreCase(name, REMOVED[i])) {
                return 1 << i;
            }
        }
        return 0;
    }

    private static AsciiString[] removed() {
        List<AsciiString> names = new ArrayList<>(List.of(HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE,
                HttpHeaderNames.PROXY_CONNECTION, HttpHeaderNames.UPGRADE, HttpHeaderNames.TRANSFER_ENCODING));
        for (ExtensionHeaderNames extension : ExtensionHeaderNames.values()) {
            names.add(extension.text());
        }
        names.add(HttpHeaderNames.TE);
        if (names.size() > Integer.SIZE) {
            throw new IllegalStateException(names.size() + " hop-by-hop names (expected: at most 32, a bit each)");
        }
        return names.toArray(new AsciiString[0]);
    }

    private static void stripNamedByConnection(HttpHeaders headers) {
        List<String> named = new ArrayList<>();
        for (String value : headers.getAll(HttpHeaderNames.CONNECTION)) {
            for (String name : value.split(",")) {
                String trimmed = name.trim();
                if (!trimmed.isEmpty()) {
                    named.add(trimmed);
                }
            }
        }
        for (String name : named) {
            headers.remove(name);
        }
    }

    private static void stripTe(HttpHeaders headers) {
        if (!headers.contains(HttpHeaderNames.TE)) {
            return;
        }
        boolean trailers = false;
        for (String value : headers.getAll(HttpHeaderNames.TE)) {
            for (String coding : value.split(",")) {
                int parameters = coding.indexOf(';');
                String name = (parameters < 0 ? coding : coding.substring(0, parameters)).trim();
                trailers |= name.equalsIgnoreCase("trailers");
            }
        }
        headers.remove(HttpHeaderNames.TE);
        if (trailers) {
            headers.set(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
        }
    }
}

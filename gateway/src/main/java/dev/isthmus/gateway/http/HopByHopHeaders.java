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

    private static final List<CharSequence> ALWAYS = List.of(HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE,
            HttpHeaderNames.PROXY_CONNECTION, HttpHeaderNames.UPGRADE, HttpHeaderNames.TRANSFER_ENCODING);
    /** Once: {@code values()} copies the array on every call, and this runs twice per request. */
    private static final ExtensionHeaderNames[] EXTENSIONS = ExtensionHeaderNames.values();
    /** What every one of {@link #EXTENSIONS} begins with ({@code HopByHopHeadersTest} holds it). */
    static final String EXTENSION_PREFIX = "x-http2-";
    /** The names {@link #strip} looks for itself; the rest it removes are the extensions and what {@code Connection} names. */
    private static final AsciiString[] REMOVED_BY_NAME = {HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE,
            HttpHeaderNames.PROXY_CONNECTION, HttpHeaderNames.UPGRADE, HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.TE};

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

    public static void strip(HttpHeaders headers) {
        if (headers.isEmpty() || !anyHopByHop(headers)) {
            return;
        }
        if (headers.contains(HttpHeaderNames.CONNECTION)) {
            stripNamedByConnection(headers);
        }
        for (CharSequence name : ALWAYS) {
            headers.remove(name);
        }
        stripTe(headers);
        for (ExtensionHeaderNames extension : EXTENSIONS) {
            headers.remove(extension.text());
        }
    }

    /**
     * Whether any field may be one {@link #strip} removes, in one pass over the names. Most messages have none, and
     * looking up each name {@code strip} removes, a dozen lookups, was 0.7 % of each gateway's CPU in a profile of the
     * cross path. It never misses one: a field {@code strip} removes has one of these names, or is named by a
     * {@code Connection} field, which is one of them.
     */
    private static boolean anyHopByHop(HttpHeaders headers) {
        for (Iterator<Map.Entry<CharSequence, CharSequence>> fields = headers.iteratorCharSequence(); fields.hasNext(); ) {
            if (isHopByHopName(fields.next().getKey())) {
                return true;
            }
        }
        return false;
    }

    /** Case-insensitive in ASCII, as {@link HttpHeaders}' own lookups are. */
    private static boolean isHopByHopName(CharSequence name) {
        int length = name.length();
        for (AsciiString removed : REMOVED_BY_NAME) {
            if (removed.length() == length && AsciiString.contentEqualsIgnoreCase(name, removed)) {
                return true;
            }
        }
        return length > EXTENSION_PREFIX.length()
                && AsciiString.regionMatchesAscii(name, true, 0, EXTENSION_PREFIX, 0, EXTENSION_PREFIX.length());
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

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

    /** Besides {@code Connection} and {@code TE}, which need a look at their values. */
    private static final List<CharSequence> ALWAYS = List.of(HttpHeaderNames.KEEP_ALIVE,
            HttpHeaderNames.PROXY_CONNECTION, HttpHeaderNames.UPGRADE, HttpHeaderNames.TRANSFER_ENCODING);
    /** Once: {@code values()} copies the array on every call, and this runs twice per request. */
    private static final ExtensionHeaderNames[] EXTENSIONS = ExtensionHeaderNames.values();

    private HopByHopHeaders() {}

    /**
     * One pass over the names finds what to remove, so a head pays a lookup per header it has, not one per
     * name that might be there (twelve, each hashing the name, twice per request).
     */
    public static void strip(HttpHeaders headers) {
        if (headers.isEmpty()) {
            return;
        }
        boolean connection = false;
        boolean te = false;
        List<CharSequence> present = null;
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
            CharSequence name = it.next().getKey();
            if (AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.CONNECTION)) {
                connection = true;
            } else if (AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.TE)) {
                te = true;
            } else if (alwaysRemoved(name)) {
                if (present == null) {
                    present = new ArrayList<>(4);
                }
                present.add(name);
            }
        }
        if (connection) {
            stripNamedByConnection(headers);
            headers.remove(HttpHeaderNames.CONNECTION);
        }
        if (present != null) {
            for (CharSequence name : present) {
                headers.remove(name);
            }
        }
        if (te) {
            stripTe(headers);
        }
    }

    private static boolean alwaysRemoved(CharSequence name) {
        for (CharSequence always : ALWAYS) {
            if (AsciiString.contentEqualsIgnoreCase(name, always)) {
                return true;
            }
        }
        for (ExtensionHeaderNames extension : EXTENSIONS) {
            if (AsciiString.contentEqualsIgnoreCase(name, extension.text())) {
                return true;
            }
        }
        return false;
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

package dev.isthmus.identity.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.util.logging.Logger;

/**
 * Which TLS engine Netty uses: BoringSSL through netty-tcnative when its native library loads, the
 * JDK's otherwise, with a warning that says why, because the fallback is slower.
 */
public final class TlsProviders {

    private static final Logger log = Logger.getLogger(TlsProviders.class.getName());
    private static volatile boolean warned;

    private TlsProviders() {}

    public static SslProvider preferred() {
        if (OpenSsl.isAvailable()) {
            return SslProvider.OPENSSL;
        }
        if (!warned) {
            warned = true;
            log.warning("netty-tcnative BoringSSL is unavailable, falling back to the JDK TLS provider: "
                    + OpenSsl.unavailabilityCause());
        }
        return SslProvider.JDK;
    }
}

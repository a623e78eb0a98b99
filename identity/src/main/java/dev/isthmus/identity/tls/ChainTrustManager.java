package dev.isthmus.identity.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A trust manager that judges a peer by its certificate chain alone: the same check whether the peer is
 * the client or the server, whatever the key exchange ({@code authType}) and whatever the socket or engine.
 * The JDK has six entry points for that one question; they all come to {@link #checkChain}, so a subclass
 * states its rule once. Hostnames play no part: peers are named by identity, and being an
 * {@link X509ExtendedTrustManager} keeps the JDK from adding its own hostname check on top.
 */
public abstract class ChainTrustManager extends X509ExtendedTrustManager {

    /**
     * @throws CertificateException saying why the peer is not trusted; the subclass chooses the type, since
     *     TLS stacks may turn it into the alert the peer receives
     */
    protected abstract void checkChain(X509Certificate[] chain) throws CertificateException;

    /**
     * The check of a chain presented in a handshake on {@code engine}: {@link #checkChain(X509Certificate[])} unless a
     * subclass also keeps something on the engine's handshake session.
     */
    protected void checkChain(X509Certificate[] chain, SSLEngine engine) throws CertificateException {
        checkChain(chain);
    }

    @Override
    public final void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        checkChain(chain);
    }

    @Override
    public final void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        checkChain(chain);
    }

    @Override
    public final void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checkChain(chain);
    }

    @Override
    public final void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checkChain(chain);
    }

    @Override
    public final void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        checkChain(chain, engine);
    }

    @Override
    public final void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        checkChain(chain, engine);
    }
}

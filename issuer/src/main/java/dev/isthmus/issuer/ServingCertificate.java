package dev.isthmus.issuer;

import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.ca.CertificateAuthority;
import dev.isthmus.identity.ca.InvalidAuthorityException;
import dev.isthmus.identity.ca.IssuedCertificate;
import dev.isthmus.identity.ca.Keys;
import dev.isthmus.identity.ca.LeafIssuer;
import dev.isthmus.identity.tls.TlsProviders;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.logging.Logger;
import javax.net.ssl.SSLException;

/**
 * The service's own TLS certificate, which it issues to itself from its current issuer, for its service
 * identity, and issues again when the issuer changes or 70 % of its lifetime has passed. The TLS context
 * is swapped through one volatile reference that each new connection reads once, so connections
 * already open keep the certificate they started with.
 *
 * <p>Until an issuer is loaded the service presents a stand-in: a certificate under a throwaway root
 * that no client trusts. It lets probes reach {@code /live} and {@code /ready} (which answers 503)
 * instead of failing the TLS handshake, so Kubernetes waits for the issuer instead of restarting the pod.
 */
final class ServingCertificate {

    private static final Logger log = Logger.getLogger(ServingCertificate.class.getName());
    private static final double RENEW_AT_FRACTION = 0.7;
    private static final Duration STAND_IN_LIFETIME = Duration.ofDays(1);

    /** A TLS context and when to replace it; a stand-in is replaced as soon as an issuer can sign. */
    private record Current(SslContext context, X509Certificate leaf, Instant renewAt, boolean standIn) {}

    private final SpiffeId identity;
    private final Clock clock;
    private volatile Current current;
    /** The kind of the last problem logged; null after a renewal. */
    private String lastProblem;

    ServingCertificate(SpiffeId identity, Clock clock) {
        this.identity = identity;
        this.clock = clock;
        this.current = standIn();
    }

    /** The context for the next connection. */
    SslContext context() {
        return current.context();
    }

    /** The certificate new connections are served, for tests and logs. */
    X509Certificate leaf() {
        return current.leaf();
    }

    /** Issues a new certificate from {@code issuer}; if that fails, the current one stays. */
    synchronized void renew(LeafIssuer issuer) {
        Current next;
        try {
            next = issue(issuer, false);
        } catch (InvalidAuthorityException | IllegalStateException e) {
            problem("issue failed", "cannot issue the service's own certificate: " + e.getMessage() + "; new connections keep "
                    + (current.standIn() ? "the stand-in certificate" : "the certificate valid until " + current.leaf().getNotAfter().toInstant()));
            return;
        }
        current = next;
        lastProblem = null;
        log.info(() -> "serving certificate for " + identity + " issued by '"
                + next.leaf().getIssuerX500Principal().getName() + "', valid until " + next.leaf().getNotAfter().toInstant());
    }

    /** Renews when the current certificate is a stand-in or has lived 70 % of its lifetime, and an issuer can sign. */
    synchronized void renewIfDue(IssuerCredentials credentials) {
        Current now = current;
        if (!now.standIn() && clock.instant().isBefore(now.renewAt())) {
            return;
        }
        LeafIssuer issuer;
        try {
            issuer = credentials.usableIssuer();
        } catch (IssuerNotReadyException e) {
            if (!now.standIn()) {
                problem("issuer not ready", "the service's own certificate is due for renewal but " + e.getMessage());
            }
            return;
        }
        renew(issuer);
    }

    private Current standIn() {
        LeafIssuer throwaway = new LeafIssuer(
                CertificateAuthority.createRoot(identity.trustDomain(), STAND_IN_LIFETIME, clock), clock);
        return issue(throwaway, true);
    }

    private Current issue(LeafIssuer issuer, boolean standIn) {
        KeyPair keys = Keys.generateP256();
        IssuedCertificate issued = issuer.issue(keys.getPublic(), identity);
        SslContext context;
        try {
            context = SslContextBuilder.forServer(keys.getPrivate(), issued.chain().toArray(new X509Certificate[0]))
                    .sslProvider(TlsProviders.preferred())
                    .protocols("TLSv1.3")
                    .clientAuth(ClientAuth.NONE)
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("the TLS context cannot be built: " + e.getMessage(), e);
        }
        Instant notBefore = issued.leaf().getNotBefore().toInstant();
        Duration lifetime = Duration.between(notBefore, issued.notAfter());
        Instant renewAt = notBefore.plusMillis((long) (lifetime.toMillis() * RENEW_AT_FRACTION));
        return new Current(context, issued.leaf(), renewAt, standIn);
    }

    /** Logs a kind of problem once, not on every renewal attempt while it lasts; a renewal resets it. */
    private void problem(String kind, String message) {
        if (!Objects.equals(kind, lastProblem)) {
            lastProblem = kind;
            log.warning(message);
        }
    }
}

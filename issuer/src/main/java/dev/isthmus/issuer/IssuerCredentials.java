package dev.isthmus.issuer;

import dev.isthmus.identity.ca.CertificateAuthority;
import dev.isthmus.identity.ca.InvalidAuthorityException;
import dev.isthmus.identity.ca.LeafIssuer;
import dev.isthmus.identity.ca.TrustAnchors;
import dev.isthmus.identity.pem.PemException;
import java.nio.file.Path;
import java.security.cert.CertPathValidatorException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The issuer the service signs with, loaded from its certificate and key files and checked against the
 * trust anchors, and loaded again whenever {@link #reload()} finds that any of the three files changed.
 * A replacement that does not load (garbage, a key that does not match, not a CA, not chaining to an
 * anchor, expired) is logged and counted, and the issuer loaded before stays in force: a bad rotation
 * must not stop issuance.
 */
final class IssuerCredentials {

    private static final Logger log = Logger.getLogger(IssuerCredentials.class.getName());

    /** An issuer that loaded, and the anchors it chains to. */
    private record Loaded(LeafIssuer issuer, TrustAnchors anchors) {}

    private final Path certificateFile;
    private final Path keyFile;
    private final Path anchorsFile;
    private final Duration leafLifetime;
    private final Duration clockSkew;
    private final Clock clock;
    private final IssuerMetrics metrics;
    private final List<Consumer<LeafIssuer>> listeners = new CopyOnWriteArrayList<>();

    private volatile Loaded loaded;
    /** Why the last attempt failed; null once one succeeds. */
    private volatile String lastFailure;
    private FileFingerprint lastAttempt;

    IssuerCredentials(IssuerServiceConfig config, IssuerMetrics metrics) {
        this.certificateFile = config.issuerCertificate();
        this.keyFile = config.issuerKey();
        this.anchorsFile = config.trustAnchors();
        this.leafLifetime = config.leafLifetime();
        this.clockSkew = config.clockSkew();
        this.clock = config.clock();
        this.metrics = metrics;
        metrics.expiry(this::secondsUntilExpiry);
    }

    /** Calls {@code listener} with each newly loaded issuer, on the thread that loaded it, before it is used. */
    void onReload(Consumer<LeafIssuer> listener) {
        listeners.add(listener);
    }

    /**
     * Loads the files if they changed since the last attempt. A failed attempt is retried on every call
     * even without a change, quietly, because files that are not yet valid become valid with time.
     */
    synchronized void reload() {
        FileFingerprint now = FileFingerprint.of(List.of(certificateFile, keyFile, anchorsFile));
        boolean changed = !now.equals(lastAttempt);
        if (!changed && lastFailure == null) {
            return;
        }
        lastAttempt = now;
        Loaded next;
        try {
            next = load();
        } catch (PemException | InvalidAuthorityException e) {
            failed(e.getMessage(), changed);
            return;
        }
        // Listeners first, so that by the time the service reports ready, new connections already
        // present a certificate from this issuer.
        for (Consumer<LeafIssuer> listener : listeners) {
            try {
                listener.accept(next.issuer());
            } catch (RuntimeException e) {
                log.log(Level.WARNING, "a listener failed to take the new issuer", e);
            }
        }
        loaded = next;
        lastFailure = null;
        metrics.reloaded(true);
        log.info(() -> "loaded issuer " + describe(next.issuer().authority()) + " from " + certificateFile);
    }

    /**
     * The issuer, if it can sign now.
     *
     * @throws IssuerNotReadyException saying why not
     */
    LeafIssuer usableIssuer() {
        Loaded current = loaded;
        if (current == null) {
            String failure = lastFailure;
            throw new IssuerNotReadyException("no issuer is loaded yet"
                    + (failure != null ? ": " + failure : " from " + certificateFile + " and " + keyFile));
        }
        CertificateAuthority authority = current.issuer().authority();
        Instant now = clock.instant();
        if (now.isBefore(authority.notBefore())) {
            throw new IssuerNotReadyException("the issuer " + describe(authority) + " is not valid before "
                    + authority.notBefore() + " (it is " + now + ")");
        }
        if (!now.isBefore(authority.notAfter())) {
            throw new IssuerNotReadyException("the issuer " + describe(authority) + " expired at " + authority.notAfter()
                    + " (it is " + now + "); expected a valid issuer in " + certificateFile);
        }
        try {
            current.anchors().verify(authority.chain(), now);
        } catch (CertPathValidatorException e) {
            throw new IssuerNotReadyException("the issuer " + describe(authority) + " no longer chains to a trust anchor in "
                    + anchorsFile + ": " + e.getMessage());
        }
        return current.issuer();
    }

    /** Seconds until the loaded issuer (or a CA above it) expires; negative once it has, NaN when none is loaded. */
    double secondsUntilExpiry() {
        Loaded current = loaded;
        if (current == null) {
            return Double.NaN;
        }
        return Duration.between(clock.instant(), current.issuer().authority().notAfter()).toMillis() / 1000.0;
    }

    private Loaded load() {
        Instant now = clock.instant();
        CertificateAuthority authority = CertificateAuthority.load(certificateFile, keyFile, now);
        TrustAnchors anchors = TrustAnchors.load(anchorsFile);
        try {
            anchors.verify(authority.chain(), now);
        } catch (CertPathValidatorException e) {
            throw new InvalidAuthorityException(certificateFile + ": the issuer " + describe(authority)
                    + " does not chain to a trust anchor in " + anchorsFile + " (" + e.getMessage() + ")", e);
        }
        return new Loaded(new LeafIssuer(authority, leafLifetime, clockSkew, clock), anchors);
    }

    private void failed(String reason, boolean changed) {
        lastFailure = reason;
        if (!changed) {
            return; // the same files failed before, and that was logged and counted then
        }
        metrics.reloaded(false);
        Loaded current = loaded;
        log.warning("cannot load the issuer: " + reason + (current == null
                ? "; not ready until a valid issuer appears"
                : "; keeping issuer " + describe(current.issuer().authority())));
    }

    static String describe(CertificateAuthority authority) {
        X509Certificate certificate = authority.certificate();
        return "'" + certificate.getSubjectX500Principal().getName() + "' (serial "
                + certificate.getSerialNumber().toString(16) + ", valid until " + authority.notAfter() + ")";
    }
}

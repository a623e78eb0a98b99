package dev.isthmus.identity.client;

import static java.util.Objects.requireNonNull;

import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.ca.Keys;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps a workload's certificate fresh: generates a key in memory, asks the issuer for a certificate,
 * and renews when 70 % of its remaining lifetime has passed. A failed attempt is retried with jittered exponential backoff
 * while the current certificate stays in use, so a short issuer outage costs nothing. The key and
 * certificate are swapped together through one volatile reference, and listeners (a TLS context
 * builder, say) hear of every swap.
 */
public final class CertificateManager implements AutoCloseable {

    public static final double RENEW_AT = 0.7;

    private static final Logger log = Logger.getLogger(CertificateManager.class.getName());

    private final SpiffeId identity;
    private final IssuerClient issuer;
    private final Clock clock;
    private final Backoff backoff;
    private final ScheduledExecutorService scheduler;
    private final List<Consumer<CertifiedKey>> listeners = new CopyOnWriteArrayList<>();
    private final CompletableFuture<CertifiedKey> first = new CompletableFuture<>();
    private final Counter renewed;
    private final Counter failed;

    private volatile CertifiedKey current;
    /** Touched only on the scheduler thread. */
    private int failures;

    public CertificateManager(SpiffeId identity, IssuerClient issuer, Backoff backoff, Clock clock, MeterRegistry registry) {
        this.identity = requireNonNull(identity, "identity");
        this.issuer = requireNonNull(issuer, "issuer");
        this.backoff = requireNonNull(backoff, "backoff");
        this.clock = requireNonNull(clock, "clock");
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "isthmus-certificate-manager");
            thread.setDaemon(true);
            return thread;
        });
        String id = identity.toString();
        this.renewed = Counter.builder("isthmus.identity.certificate.renewals").tag("identity", id).tag("result", "ok")
                .description("Certificates obtained from the issuer").register(registry);
        this.failed = Counter.builder("isthmus.identity.certificate.renewals").tag("identity", id).tag("result", "failed")
                .description("Certificate requests that failed").register(registry);
        Gauge.builder("isthmus.identity.certificate.expiry", this, CertificateManager::secondsUntilExpiry)
                .tag("identity", id).baseUnit("seconds")
                .description("Seconds until the current certificate expires (negative: expired; NaN: none yet)")
                .register(registry);
    }

    /** Requests the first certificate now; renewals follow by themselves. */
    public CertificateManager start() {
        scheduler.execute(this::renew);
        return this;
    }

    /** Completes with the first certificate; never fails, since the manager keeps trying. */
    public CompletableFuture<CertifiedKey> firstCertificate() {
        return first;
    }

    /** The key and certificate to use now; {@code null} before the first one arrives. */
    public CertifiedKey current() {
        return current;
    }

    /** Hears every new certificate, on the manager's thread; told at once of the current one, if any. */
    public void addListener(Consumer<CertifiedKey> listener) {
        listeners.add(requireNonNull(listener, "listener"));
        CertifiedKey now = current;
        if (now != null) {
            listener.accept(now);
        }
    }

    public SpiffeId identity() {
        return identity;
    }

    public double secondsUntilExpiry() {
        CertifiedKey now = current;
        return now == null ? Double.NaN : Duration.between(clock.instant(), now.notAfter()).toMillis() / 1000.0;
    }

    private void renew() {
        KeyPair keys = Keys.generateP256();
        CertifiedKey next;
        try {
            next = issuer.certify(keys, identity);
        } catch (CertifyException | RuntimeException e) {
            failed.increment();
            Duration delay = backoff.delay(failures++);
            CertifiedKey kept = current;
            log.log(Level.WARNING, "certificate for " + identity + " not renewed (attempt " + failures + "), retrying in "
                    + delay.toMillis() + " ms" + (kept == null ? "; no certificate yet"
                    : "; keeping the current one, valid until " + kept.notAfter()) + ": " + e.getMessage());
            schedule(delay);
            return;
        }
        failures = 0;
        current = next;
        renewed.increment();
        first.complete(next);
        for (Consumer<CertifiedKey> listener : listeners) {
            try {
                listener.accept(next);
            } catch (RuntimeException e) {
                log.log(Level.SEVERE, "a certificate listener failed", e);
            }
        }
        Instant renewAt = next.renewAt(clock.instant(), RENEW_AT);
        log.fine(() -> "certificate for " + identity + " valid until " + next.notAfter() + ", renewing at " + renewAt);
        schedule(Duration.between(clock.instant(), renewAt));
    }

    private void schedule(Duration delay) {
        if (!scheduler.isShutdown()) {
            scheduler.schedule(this::renew, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }

    /**
     * Exponential backoff with jitter: attempt {@code n} waits a random time between half and all of
     * {@code min(max, initial * 2^n)}, so many workloads that lost the issuer together do not return together.
     */
    public record Backoff(Duration initial, Duration max) {
        public static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1));

        public Backoff {
            if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("backoff " + initial + ".." + max + " (expected: 0 < initial <= max)");
            }
        }

        public Duration delay(int attempt) {
            long ceiling = initial.toMillis() << Math.min(attempt, 20);
            long capped = Math.min(max.toMillis(), ceiling);
            return Duration.ofMillis(capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1));
        }
    }
}

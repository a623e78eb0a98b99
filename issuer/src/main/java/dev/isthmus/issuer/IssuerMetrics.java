package dev.isthmus.issuer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.DoubleSupplier;

/** The service's meters, by the names Prometheus shows as {@code isthmus_identity_…}. */
final class IssuerMetrics {

    static final String CERTIFY_REQUESTS = "isthmus.identity.certify.requests";
    static final String ISSUER_RELOADS = "isthmus.identity.issuer.reloads";
    static final String ISSUER_EXPIRY = "isthmus.identity.issuer.expiry";

    private final MeterRegistry registry;
    private Gauge expiry;

    IssuerMetrics(MeterRegistry registry) {
        this.registry = registry;
        // Registered up front so dashboards and alerts see zeros instead of missing series.
        for (String result : new String[] {"ok", "bad_csr", "unauthenticated", "identity_mismatch", "not_ready"}) {
            certifyCounter(result);
        }
        reloadCounter("ok");
        reloadCounter("failed");
    }

    /** One answered {@code POST /v1/certify}; {@code result} is "ok" or the error code sent. */
    void certified(String result) {
        certifyCounter(result).increment();
    }

    /** One attempt to load changed issuer files. */
    void reloaded(boolean ok) {
        reloadCounter(ok ? "ok" : "failed").increment();
    }

    /** Seconds until the loaded issuer expires (negative once it has), NaN when none is loaded. */
    synchronized void expiry(DoubleSupplier secondsLeft) {
        expiry = Gauge.builder(ISSUER_EXPIRY, secondsLeft, DoubleSupplier::getAsDouble)
                .description("Seconds until the loaded issuer certificate (or a CA above it) expires")
                .baseUnit("seconds")
                .strongReference(true)
                .register(registry);
    }

    /** Forgets the gauge, which holds on to the closed service's state. */
    synchronized void close() {
        if (expiry != null) {
            registry.remove(expiry);
            expiry = null;
        }
    }

    private Counter certifyCounter(String result) {
        return Counter.builder(CERTIFY_REQUESTS)
                .description("Certificate signing requests answered, by result")
                .tag("result", result)
                .register(registry);
    }

    private Counter reloadCounter(String result) {
        return Counter.builder(ISSUER_RELOADS)
                .description("Attempts to load changed issuer credentials, by result")
                .tag("result", result)
                .register(registry);
    }
}

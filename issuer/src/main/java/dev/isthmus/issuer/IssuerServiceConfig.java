package dev.isthmus.issuer;

import static java.util.Objects.requireNonNull;

import dev.isthmus.identity.SpiffeId;
import dev.isthmus.identity.ca.LeafIssuer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * How an {@link IssuerService} runs. Immutable; made by {@link #builder()}, whose setters reject a bad
 * value at once with a message naming the setting and what it expects.
 */
public final class IssuerServiceConfig {

    public static final String DEFAULT_BIND_ADDRESS = "0.0.0.0";
    public static final int DEFAULT_PORT = 8080;
    public static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofSeconds(5);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_VERIFIER_THREADS = 4;
    public static final int DEFAULT_VERIFIER_QUEUE = 64;

    private final String bindAddress;
    private final int port;
    private final Path issuerCertificate;
    private final Path issuerKey;
    private final Path trustAnchors;
    private final String trustDomain;
    private final SpiffeId serviceIdentity;
    private final Duration leafLifetime;
    private final Duration clockSkew;
    private final Duration reloadInterval;
    private final Duration idleTimeout;
    private final Duration shutdownTimeout;
    private final int verifierThreads;
    private final int verifierQueue;
    private final Clock clock;

    private IssuerServiceConfig(Builder b) {
        bindAddress = b.bindAddress;
        port = b.port;
        issuerCertificate = required(b.issuerCertificate, "issuerCertificate", "the issuer's PEM certificate, such as tls.crt");
        issuerKey = required(b.issuerKey, "issuerKey", "the issuer's PEM private key, such as tls.key");
        trustAnchors = required(b.trustAnchors, "trustAnchors", "the PEM bundle of trust anchors, such as ca-bundle.crt");
        trustDomain = b.trustDomain;
        serviceIdentity = b.serviceIdentity != null ? b.serviceIdentity : defaultServiceIdentity(trustDomain);
        if (!serviceIdentity.trustDomain().equals(trustDomain)) {
            throw new IllegalArgumentException("serviceIdentity: " + serviceIdentity
                    + " (expected: an identity in trust domain " + trustDomain + ")");
        }
        leafLifetime = b.leafLifetime;
        clockSkew = b.clockSkew;
        reloadInterval = b.reloadInterval;
        idleTimeout = b.idleTimeout;
        shutdownTimeout = b.shutdownTimeout;
        verifierThreads = b.verifierThreads;
        verifierQueue = b.verifierQueue;
        clock = b.clock;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code spiffe://<trust-domain>/ns/isthmus/sa/isthmus-identity}: whom clients expect to be talking to. */
    public static SpiffeId defaultServiceIdentity(String trustDomain) {
        return new SpiffeId(trustDomain, "isthmus", "isthmus-identity");
    }

    public String bindAddress() {
        return bindAddress;
    }

    /** The port to listen on; 0 picks a free one, which {@link IssuerService#start()} returns. */
    public int port() {
        return port;
    }

    public Path issuerCertificate() {
        return issuerCertificate;
    }

    public Path issuerKey() {
        return issuerKey;
    }

    public Path trustAnchors() {
        return trustAnchors;
    }

    public String trustDomain() {
        return trustDomain;
    }

    /** The identity of the service's own TLS certificate. */
    public SpiffeId serviceIdentity() {
        return serviceIdentity;
    }

    public Duration leafLifetime() {
        return leafLifetime;
    }

    public Duration clockSkew() {
        return clockSkew;
    }

    /** How often the issuer files are checked for a change. */
    public Duration reloadInterval() {
        return reloadInterval;
    }

    /** A connection that sends nothing for this long is closed. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** How long {@link IssuerService#close()} waits for requests in flight. */
    public Duration shutdownTimeout() {
        return shutdownTimeout;
    }

    /** Threads that verify tokens and sign: verification may block on the Kubernetes API server. */
    public int verifierThreads() {
        return verifierThreads;
    }

    /** Requests that may wait for a verifier thread; beyond that the service answers 503. */
    public int verifierQueue() {
        return verifierQueue;
    }

    public Clock clock() {
        return clock;
    }

    @Override
    public String toString() {
        return "IssuerServiceConfig[" + bindAddress + ":" + port + ", issuer " + issuerCertificate + " + " + issuerKey
                + ", anchors " + trustAnchors + ", trust domain " + trustDomain + ", service identity " + serviceIdentity
                + ", leaf lifetime " + leafLifetime + ", clock skew " + clockSkew + ", reload every " + reloadInterval + "]";
    }

    private static Path required(Path value, String name, String expected) {
        if (value == null) {
            throw new IllegalArgumentException(name + ": not set (expected: the path of " + expected + ")");
        }
        return value;
    }

    /** Mutable; every setter checks its value. */
    public static final class Builder {
        private String bindAddress = DEFAULT_BIND_ADDRESS;
        private int port = DEFAULT_PORT;
        private Path issuerCertificate;
        private Path issuerKey;
        private Path trustAnchors;
        private String trustDomain = SpiffeId.DEFAULT_TRUST_DOMAIN;
        private SpiffeId serviceIdentity;
        private Duration leafLifetime = LeafIssuer.DEFAULT_LIFETIME;
        private Duration clockSkew = LeafIssuer.DEFAULT_CLOCK_SKEW;
        private Duration reloadInterval = DEFAULT_RELOAD_INTERVAL;
        private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
        private Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;
        private int verifierThreads = DEFAULT_VERIFIER_THREADS;
        private int verifierQueue = DEFAULT_VERIFIER_QUEUE;
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        /** An IP address or host name to bind; default {@value #DEFAULT_BIND_ADDRESS}. */
        public Builder bindAddress(String bindAddress) {
            requireNonNull(bindAddress, "bindAddress");
            if (bindAddress.isBlank()) {
                throw new IllegalArgumentException("bindAddress: '' (expected: an IP address or host name, such as 0.0.0.0)");
            }
            this.bindAddress = bindAddress;
            return this;
        }

        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
            }
            this.port = port;
            return this;
        }

        public Builder issuerCertificate(Path issuerCertificate) {
            this.issuerCertificate = requireNonNull(issuerCertificate, "issuerCertificate");
            return this;
        }

        public Builder issuerKey(Path issuerKey) {
            this.issuerKey = requireNonNull(issuerKey, "issuerKey");
            return this;
        }

        public Builder trustAnchors(Path trustAnchors) {
            this.trustAnchors = requireNonNull(trustAnchors, "trustAnchors");
            return this;
        }

        public Builder trustDomain(String trustDomain) {
            try {
                this.trustDomain = SpiffeId.checkTrustDomain(trustDomain);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("trustDomain: " + e.getMessage(), e);
            }
            return this;
        }

        /** Default {@code spiffe://<trust-domain>/ns/isthmus/sa/isthmus-identity}. */
        public Builder serviceIdentity(SpiffeId serviceIdentity) {
            this.serviceIdentity = requireNonNull(serviceIdentity, "serviceIdentity");
            return this;
        }

        public Builder leafLifetime(Duration leafLifetime) {
            this.leafLifetime = positive(leafLifetime, "leafLifetime");
            return this;
        }

        public Builder clockSkew(Duration clockSkew) {
            requireNonNull(clockSkew, "clockSkew");
            if (clockSkew.isNegative()) {
                throw new IllegalArgumentException("clockSkew: " + clockSkew + " (expected: zero or more)");
            }
            this.clockSkew = clockSkew;
            return this;
        }

        public Builder reloadInterval(Duration reloadInterval) {
            this.reloadInterval = positive(reloadInterval, "reloadInterval");
            return this;
        }

        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = positive(idleTimeout, "idleTimeout");
            return this;
        }

        public Builder shutdownTimeout(Duration shutdownTimeout) {
            requireNonNull(shutdownTimeout, "shutdownTimeout");
            if (shutdownTimeout.isNegative()) {
                throw new IllegalArgumentException("shutdownTimeout: " + shutdownTimeout + " (expected: zero or more)");
            }
            this.shutdownTimeout = shutdownTimeout;
            return this;
        }

        public Builder verifierThreads(int verifierThreads) {
            if (verifierThreads < 1 || verifierThreads > 256) {
                throw new IllegalArgumentException("verifierThreads: " + verifierThreads + " (expected: 1-256)");
            }
            this.verifierThreads = verifierThreads;
            return this;
        }

        public Builder verifierQueue(int verifierQueue) {
            if (verifierQueue < 1 || verifierQueue > 65536) {
                throw new IllegalArgumentException("verifierQueue: " + verifierQueue + " (expected: 1-65536)");
            }
            this.verifierQueue = verifierQueue;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        /**
         * @throws IllegalArgumentException if a file is not set, or the service identity is outside the trust domain
         */
        public IssuerServiceConfig build() {
            return new IssuerServiceConfig(this);
        }

        private static Duration positive(Duration value, String name) {
            requireNonNull(value, name);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: a positive duration)");
            }
            return value;
        }
    }
}

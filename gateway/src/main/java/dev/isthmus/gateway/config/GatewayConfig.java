package dev.isthmus.gateway.config;

import static java.util.Objects.requireNonNull;

import dev.isthmus.gateway.http.GatewayId;
import dev.isthmus.gateway.policy.AuthorizationPolicy;
import dev.isthmus.gateway.probe.ProbeSettings;
import dev.isthmus.gateway.tls.KeyExchange;
import dev.isthmus.identity.SpiffeId;
import java.time.Duration;

/**
 * Everything a gateway is told at start, validated once. Built with {@link #builder()}.
 *
 * @param inboundHost address of the mTLS listener (the LoadBalancer's target)
 * @param inboundPort its port, 4143 by default; 0 picks a free one (tests)
 * @param adminHost address of the plaintext admin listener
 * @param adminPort its port, 4191 by default
 * @param identity this gateway's own identity: its certificate's, the one its probe answers with
 * @param id this gateway installation's {@code Forwarded: by=}, what loop detection looks for (not the
 *     identity, which every cluster's gateway shares by default)
 * @param outboundHost address of the plaintext outbound listeners, one per outbound route
 * @param probe how often and how patiently remote gateways are probed
 * @param detectTimeout how long an outbound client may stay silent before its connection is taken
 *     for an opaque one (protocols where the server speaks first)
 * @param requestHeaderTimeout how long an HTTP/1 client has for a whole request head, counted from the start of
 *     its session or the end of the previous exchange (so it also bounds the keep-alive gap between requests);
 *     not to be confused with {@code headerTimeout}, the time a peer gateway has for its transport header
 * @param keyExchange the TLS key exchanges offered and accepted, inbound and outbound alike
 */
public record GatewayConfig(String inboundHost, int inboundPort, String adminHost, int adminPort, SpiffeId identity,
        GatewayId id, AuthorizationPolicy policy, int maxConnections, Duration handshakeTimeout, Duration headerTimeout,
        Duration idleTimeout, Duration connectTimeout, Duration requestTimeout, Duration drainTimeout, int ioThreads,
        String outboundHost, Duration detectTimeout, ProbeSettings probe, Duration requestHeaderTimeout, KeyExchange keyExchange) {

    public GatewayConfig {
        requireNonNull(inboundHost, "inboundHost");
        requireNonNull(outboundHost, "outboundHost");
        requireNonNull(adminHost, "adminHost");
        requireNonNull(identity, "identity");
        requireNonNull(id, "id");
        requireNonNull(policy, "policy");
        requireNonNull(probe, "probe");
        requireNonNull(keyExchange, "keyExchange");
        checkPort("inbound port", inboundPort);
        checkPort("admin port", adminPort);
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections: " + maxConnections + " (expected: at least 1)");
        }
        if (ioThreads < 0) {
            throw new IllegalArgumentException("ioThreads: " + ioThreads + " (expected: 0 for one per core, or more)");
        }
        for (Duration d : new Duration[] {handshakeTimeout, headerTimeout, idleTimeout, connectTimeout, requestTimeout, drainTimeout,
                detectTimeout, requestHeaderTimeout}) {
            if (requireNonNull(d, "timeout").isNegative() || d.isZero()) {
                throw new IllegalArgumentException("timeout: " + d + " (expected: a positive duration)");
            }
        }
    }

    /** The same settings on other ports, for command-line overrides. */
    public GatewayConfig withPorts(int inboundPort, int adminPort) {
        return new GatewayConfig(inboundHost, inboundPort, adminHost, adminPort, identity, id, policy, maxConnections,
                handshakeTimeout, headerTimeout, idleTimeout, connectTimeout, requestTimeout, drainTimeout, ioThreads,
                outboundHost, detectTimeout, probe, requestHeaderTimeout, keyExchange);
    }

    private static void checkPort(String what, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(what + ": " + port + " (expected: 0-65535)");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Defaults are the production ones; tests change ports and timeouts. */
    public static final class Builder {
        static final String DEFAULT_OUTBOUND_HOST = "0.0.0.0";
        static final Duration DEFAULT_DETECT_TIMEOUT = Duration.ofSeconds(1);
        private String inboundHost = "0.0.0.0";
        private int inboundPort = 4143;
        private String adminHost = "0.0.0.0";
        private int adminPort = 4191;
        private SpiffeId identity;
        private GatewayId id;
        private AuthorizationPolicy policy;
        private int maxConnections = 50_000;
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private Duration headerTimeout = Duration.ofSeconds(10);
        private Duration idleTimeout = Duration.ofMinutes(5);
        private Duration connectTimeout = Duration.ofSeconds(3);
        private Duration requestTimeout = Duration.ofSeconds(60);
        private Duration drainTimeout = Duration.ofSeconds(30);
        private int ioThreads;
        private String outboundHost = DEFAULT_OUTBOUND_HOST;
        private Duration detectTimeout = DEFAULT_DETECT_TIMEOUT;
        private ProbeSettings probe = ProbeSettings.DEFAULTS;
        private Duration requestHeaderTimeout = Duration.ofSeconds(10);
        private KeyExchange keyExchange = KeyExchange.DEFAULT;

        public Builder inbound(String host, int port) {
            this.inboundHost = host;
            this.inboundPort = port;
            return this;
        }

        public Builder admin(String host, int port) {
            this.adminHost = host;
            this.adminPort = port;
            return this;
        }

        public Builder identity(SpiffeId identity) {
            this.identity = identity;
            return this;
        }

        /** The installation's id; without one, the gateway makes up its own, unique to this process. */
        public Builder id(GatewayId id) {
            this.id = id;
            return this;
        }

        public Builder policy(AuthorizationPolicy policy) {
            this.policy = policy;
            return this;
        }

        public Builder maxConnections(int maxConnections) {
            this.maxConnections = maxConnections;
            return this;
        }

        public Builder handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = timeout;
            return this;
        }

        public Builder headerTimeout(Duration timeout) {
            this.headerTimeout = timeout;
            return this;
        }

        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = timeout;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = timeout;
            return this;
        }

        public Builder drainTimeout(Duration timeout) {
            this.drainTimeout = timeout;
            return this;
        }

        public Builder ioThreads(int threads) {
            this.ioThreads = threads;
            return this;
        }

        /** Where the outbound listeners bind; their ports come from the routes. */
        public Builder outboundHost(String host) {
            this.outboundHost = host;
            return this;
        }

        public Builder probe(ProbeSettings settings) {
            this.probe = settings;
            return this;
        }

        public Builder detectTimeout(Duration timeout) {
            this.detectTimeout = timeout;
            return this;
        }

        public Builder requestHeaderTimeout(Duration timeout) {
            this.requestHeaderTimeout = timeout;
            return this;
        }

        public Builder keyExchange(KeyExchange keyExchange) {
            this.keyExchange = keyExchange;
            return this;
        }

        public GatewayConfig build() {
            AuthorizationPolicy effective = policy != null ? policy
                    : AuthorizationPolicy.trustDomain(requireNonNull(identity, "identity").trustDomain());
            return new GatewayConfig(inboundHost, inboundPort, adminHost, adminPort, identity, id != null ? id : GatewayId.random(),
                    effective, maxConnections,
                    handshakeTimeout, headerTimeout, idleTimeout, connectTimeout, requestTimeout, drainTimeout, ioThreads,
                    outboundHost, detectTimeout, probe, requestHeaderTimeout, keyExchange);
        }
    }
}

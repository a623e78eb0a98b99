package dev.isthmus.issuer;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The identity issuer: an HTTPS endpoint (TLS 1.3, no client certificate) where a workload trades a
 * certificate signing request and a token proving its identity for a certificate of that identity.
 *
 * <ul>
 *   <li>{@code POST /v1/certify} with {@code Authorization: Bearer <token>} and a PKCS#10 request as the
 *       body, DER ({@code Content-Type: application/pkcs10}) or PEM, at most 16 KiB. 200 answers
 *       {@code application/pem-certificate-chain}: the leaf, then the issuer and any CA above it.
 *   <li>{@code GET /live}: 200 while the process serves. {@code GET /ready}: 200 when an issuer is loaded
 *       and valid now, else 503 saying why.
 *   <li>Errors are {@code application/json} {@code {"error":"<code>","message":"<what was wrong, what was
 *       expected>"}}: 400 {@code bad_csr}, 401 {@code unauthenticated} (with {@code WWW-Authenticate: Bearer}),
 *       403 {@code identity_mismatch}, 404 {@code not_found}, 405 {@code method_not_allowed} (with
 *       {@code Allow}), 413 {@code payload_too_large}, 503 {@code not_ready} or {@code overloaded} (with
 *       {@code Retry-After}); malformed HTTP gets 400 {@code bad_request}, 414 {@code uri_too_long} or
 *       431 {@code headers_too_large}, and the connection closes.
 * </ul>
 *
 * <p>The service presents a certificate it issues to itself for {@link IssuerServiceConfig#serviceIdentity()};
 * clients verify it by that identity. {@link #start()} loads the issuer and binds; from then on the issuer
 * files are polled and reloaded when they change, and the service's own certificate is renewed.
 * {@link #close()} stops accepting, lets requests in flight finish (up to the shutdown timeout), then
 * closes everything.
 */
public final class IssuerService implements AutoCloseable {

    private static final Logger log = Logger.getLogger(IssuerService.class.getName());
    /** Certificate requests are rare and cheap to serve; two threads accept and serve them all. */
    private static final int EVENT_LOOP_THREADS = 2;

    private final IssuerServiceConfig config;
    private final IssuerMetrics metrics;
    private final IssuerCredentials credentials;
    private final ServingCertificate servingCertificate;
    private final ThreadPoolExecutor verifiers;
    private final InFlightRequests inFlight = new InFlightRequests();
    private final Routes routes;

    private ScheduledExecutorService poller;
    private EventLoopGroup eventLoops;
    private ChannelGroup channels;
    private Channel serverChannel;
    private boolean started;
    private boolean closed;

    public IssuerService(IssuerServiceConfig config, TokenVerifier tokens, MeterRegistry registry) {
        this.config = requireNonNull(config, "config");
        requireNonNull(tokens, "tokens");
        this.metrics = new IssuerMetrics(requireNonNull(registry, "registry"));
        this.credentials = new IssuerCredentials(config, metrics);
        this.servingCertificate = new ServingCertificate(config.serviceIdentity(), config.clock());
        credentials.onReload(servingCertificate::renew);
        this.verifiers = new ThreadPoolExecutor(config.verifierThreads(), config.verifierThreads(), 1, TimeUnit.MINUTES,
                new ArrayBlockingQueue<>(config.verifierQueue()), new DefaultThreadFactory("isthmus-identity-verify", true));
        verifiers.allowCoreThreadTimeOut(true);
        this.routes = new Routes(new CertifyEndpoint(credentials, tokens, config.trustDomain(), verifiers, metrics), credentials);
    }

    /**
     * Loads the issuer (the service starts even without one, answering 503 until it appears), starts
     * polling its files, and binds.
     *
     * @return the port bound, which is the configured one unless that was 0
     * @throws IllegalStateException if the service was started or closed before, or cannot bind
     */
    public synchronized int start() {
        if (started || closed) {
            throw new IllegalStateException("the issuer service was already " + (closed ? "closed" : "started")
                    + " (expected: a new IssuerService for each start)");
        }
        started = true;
        credentials.reload();
        poller = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("isthmus-identity-reload", true));
        long interval = config.reloadInterval().toMillis();
        poller.scheduleWithFixedDelay(this::refresh, interval, interval, TimeUnit.MILLISECONDS);

        eventLoops = new MultiThreadIoEventLoopGroup(EVENT_LOOP_THREADS, new DefaultThreadFactory("isthmus-identity-io"),
                NioIoHandler.newFactory());
        channels = new DefaultChannelGroup("isthmus-identity", GlobalEventExecutor.INSTANCE);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(eventLoops)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new IssuerChannelInitializer(servingCertificate::context, config.idleTimeout(), routes,
                        inFlight, metrics, channels));
        ChannelFuture bind = bootstrap.bind(config.bindAddress(), config.port()).awaitUninterruptibly();
        if (!bind.isSuccess()) {
            String where = config.bindAddress() + ":" + config.port();
            shutDown();
            throw new IllegalStateException("cannot listen on " + where + ": " + bind.cause().getMessage()
                    + " (expected: a free port and an address of this host)", bind.cause());
        }
        serverChannel = bind.channel();
        int port = ((InetSocketAddress) serverChannel.localAddress()).getPort();
        log.info(() -> "identity issuer listening on " + config.bindAddress() + ":" + port + " as " + config.serviceIdentity());
        return port;
    }

    /** The certificate new connections are served: issued by the current issuer, or a stand-in before there is one. */
    public X509Certificate servingCertificate() {
        return servingCertificate.leaf();
    }

    /** Stops accepting, waits for requests in flight up to the shutdown timeout, then releases every thread. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (started) {
            inFlight.drain();
            if (serverChannel != null) {
                serverChannel.close().awaitUninterruptibly();
            }
            awaitInFlight(config.shutdownTimeout());
        }
        shutDown();
    }

    private void awaitInFlight(Duration timeout) {
        try {
            if (!inFlight.awaitNone(timeout)) {
                log.warning("closing with " + inFlight.count() + " request(s) unanswered after " + timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void shutDown() {
        if (channels != null) {
            channels.close().awaitUninterruptibly();
        }
        if (poller != null) {
            poller.shutdownNow();
        }
        verifiers.shutdownNow();
        if (eventLoops != null) {
            eventLoops.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        }
        metrics.close();
    }

    /** One poll: reload changed issuer files, renew the serving certificate when due. Never throws, or polling would stop. */
    private void refresh() {
        try {
            credentials.reload();
            servingCertificate.renewIfDue(credentials);
        } catch (RuntimeException e) {
            log.log(Level.WARNING, "refreshing the issuer failed", e);
        }
    }

    /** For tests: poll now instead of waiting for the next interval. */
    void refreshNow() {
        refresh();
    }
}

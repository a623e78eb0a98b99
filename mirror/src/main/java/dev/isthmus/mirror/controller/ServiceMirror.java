package dev.isthmus.mirror.controller;

import static java.util.Objects.requireNonNull;

import dev.isthmus.mirror.kube.Names;
import dev.isthmus.mirror.link.Link;
import dev.isthmus.mirror.link.LinkSettings;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * {@code isthmus mirror run --link <name>}: holds the Lease {@code isthmus-mirror-<link>} and, while it
 * leads, runs a {@link MirrorController} for the Link, restarting it when the Link's spec changes
 * (reading the credentials Secret again) and stopping it when the Link is deleted. Stopping never deletes
 * mirrors: unlinking is {@link MirrorCleanup}'s job.
 */
public final class ServiceMirror implements AutoCloseable {

    private static final Duration RETRY = Duration.ofSeconds(10);

    private final KubernetesClient local;
    private final String namespace;
    private final String linkName;
    private final MirrorOptions options;
    private final RequestCounter remoteRequests;
    private final MirrorMetrics metrics;
    private final LinkLog log;
    /** One thread changes what runs, so a Link event and a lost Lease cannot interleave. */
    private final ScheduledExecutorService lifecycle;
    private volatile boolean closed;
    private volatile boolean leading;
    private CompletableFuture<?> election;
    private SharedIndexInformer<Link> linkInformer;
    private MirrorController controller;
    private KubernetesClient remote;
    private Long runningGeneration;

    public ServiceMirror(KubernetesClient local, RequestCounter localRequests, String namespace, String linkName,
            MirrorOptions options, MeterRegistry registry) {
        this.local = requireNonNull(local, "local");
        this.namespace = requireNonNull(namespace, "namespace");
        this.linkName = requireNonNull(linkName, "linkName");
        this.log = new LinkLog(ServiceMirror.class, linkName);
        this.options = requireNonNull(options, "options");
        this.remoteRequests = new RequestCounter();
        this.metrics = new MirrorMetrics(registry, linkName, localRequests == null ? new RequestCounter() : localRequests,
                remoteRequests);
        this.lifecycle = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, Names.mirrorController(linkName) + "-lifecycle");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Starts campaigning for the Lease; mirroring starts once this replica leads. */
    public synchronized ServiceMirror start() {
        campaign();
        return this;
    }

    private synchronized void campaign() {
        if (closed) {
            return;
        }
        election = local.leaderElector().withConfig(new LeaderElectionConfigBuilder()
                .withName(Names.mirrorController(linkName))
                .withLock(new LeaseLock(namespace, Names.mirrorController(linkName), options.identity()))
                .withLeaseDuration(options.leaseDuration())
                .withRenewDeadline(options.renewDeadline())
                .withRetryPeriod(options.retryPeriod())
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(
                        () -> submit(this::startLeading),
                        () -> submit(this::stopLeading),
                        leader -> log.info("leader is " + leader)))
                .build()).build().start();
        election.whenComplete((ignored, error) -> {
            if (!closed) {
                // Lost the Lease (or could not renew it): stand for election again, as a new replica would.
                log.warning("leader election ended" + (error == null ? "" : ": " + error)
                        + "; campaigning again");
                submit(this::campaign);
            }
        });
    }

    /** Whether this replica holds the Lease. */
    public boolean leading() {
        return leading;
    }

    /** The running controller, or null when not leading or the Link is absent. */
    public synchronized MirrorController controller() {
        return controller;
    }

    public RequestCounter remoteRequests() {
        return remoteRequests;
    }

    private void startLeading() {
        if (closed) {
            return;
        }
        leading = true;
        log.info(options.identity() + " leads; watching Link " + namespace + "/" + linkName);
        linkInformer = local.resources(Link.class).inNamespace(namespace).withName(linkName).inform(
                new ResourceEventHandler<Link>() {
                    @Override
                    public void onAdd(Link link) {
                        submit(() -> linkChanged(link));
                    }

                    @Override
                    public void onUpdate(Link before, Link after) {
                        submit(() -> linkChanged(after));
                    }

                    @Override
                    public void onDelete(Link link, boolean finalStateUnknown) {
                        submit(() -> {
                            log.info("the Link was deleted; mirroring stops, mirrors stay"
                                    + " until unlinked");
                            stopController();
                        });
                    }
                });
    }

    private void linkChanged(Link link) {
        if (!leading || closed) {
            return;
        }
        Long generation = link.getMetadata().getGeneration();
        if (controller != null && Objects.equals(generation, runningGeneration)) {
            return; // a status write of our own
        }
        stopController();
        try {
            LinkSettings settings = LinkSettings.of(link);
            remote = remoteClient(settings);
            MirrorController started = new MirrorController(local, remote, link, options, metrics).start();
            synchronized (this) {
                controller = started;
            }
            runningGeneration = generation;
        } catch (RuntimeException e) {
            log.warning("cannot start mirroring: " + e.getMessage()
                    + "; retrying in " + RETRY.toSeconds() + " s");
            stopController();
            try {
                lifecycle.schedule(() -> retry(), RETRY.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException closing) {
                // closing
            }
        }
    }

    private KubernetesClient remoteClient(LinkSettings settings) {
        Secret secret = local.secrets().inNamespace(namespace).withName(settings.credentialsSecret()).get();
        if (secret == null || secret.getData() == null || !secret.getData().containsKey(Names.CREDENTIALS_KEY)) {
            throw new IllegalStateException("Secret " + namespace + "/" + settings.credentialsSecret()
                    + (secret == null ? " does not exist" : " has no key " + Names.CREDENTIALS_KEY)
                    + " (expected: a kubeconfig for " + settings.clusterName() + "'s API server, as `isthmus multicluster link` writes)");
        }
        String kubeconfig = new String(Base64.getDecoder().decode(secret.getData().get(Names.CREDENTIALS_KEY)),
                StandardCharsets.UTF_8);
        return KubeClients.build(Config.fromKubeconfig(kubeconfig), remoteRequests);
    }

    private void stopLeading() {
        leading = false;
        log.info(options.identity() + " no longer leads; mirroring stops");
        if (linkInformer != null) {
            linkInformer.stop();
            linkInformer = null;
        }
        stopController();
    }

    private void stopController() {
        MirrorController running;
        synchronized (this) {
            running = controller;
            controller = null;
        }
        runningGeneration = null;
        if (running != null) {
            running.close();
        }
        if (remote != null) {
            remote.close();
            remote = null;
        }
    }

    private void retry() {
        if (closed || !leading || controller != null) {
            return;
        }
        try {
            Link current = local.resources(Link.class).inNamespace(namespace).withName(linkName).get();
            if (current != null) {
                linkChanged(current);
            }
        } catch (RuntimeException e) {
            log.warning("cannot read the Link: " + e.getMessage());
            lifecycle.schedule(this::retry, RETRY.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Runs on the lifecycle thread; after close, callbacks from the elector are dropped. */
    private void submit(Runnable action) {
        try {
            lifecycle.execute(action);
        } catch (RejectedExecutionException e) {
            // closed
        }
    }

    /** Stops mirroring and releases the Lease so another replica takes over at once. */
    @Override
    public void close() {
        CompletableFuture<?> running;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            running = election;
        }
        if (running != null) {
            running.cancel(true); // releaseOnCancel: the Lease is given up
        }
        submit(this::stopLeading);
        lifecycle.shutdown();
        try {
            if (!lifecycle.awaitTermination(15, TimeUnit.SECONDS)) {
                lifecycle.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package dev.isthmus.mirror.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;

/** What the informers of {@link MirrorCaches} report; the controller answers each with the keys to reconcile. */
interface MirrorEvents {

    void remoteServiceChanged(Service service);

    void remoteSliceChanged(EndpointSlice slice);

    /** The target's gateway Service: its load-balancer addresses go to the Link's status. */
    void gatewayChanged(Service service);

    /** A mirrored Service or EndpointSlice in this cluster, possibly another link's. */
    void localMirrorChanged(HasMetadata object);

    void namespaceChanged(Namespace namespace);

    /** Something every mirror depends on: the local gateway's addresses. */
    void everything(Object changed);
}

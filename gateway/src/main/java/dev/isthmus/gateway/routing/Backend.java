package dev.isthmus.gateway.routing;

/** Where an outbound route sends traffic: a service of this cluster, or one behind another cluster's gateway. */
public sealed interface Backend permits ExportedService, RemoteTarget {}

/**
 * The route table of the moment: exported services (inbound), outbound routes with their weighted
 * backends (local services or remote targets behind a linked gateway), endpoints, link health, and where a
 * table comes from ({@link dev.isthmus.gateway.routing.RouteSource}: a file here, Kubernetes in the mirror
 * module). Immutable snapshots; imports only {@code yaml} (for the route file), never {@code config} or
 * anything above the parts.
 */
package dev.isthmus.gateway.routing;

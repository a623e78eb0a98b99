/**
 * The HTTP proxy both sides install on a routed connection: HTTP/1.1 and HTTP/2 session pipelines
 * ({@link dev.isthmus.gateway.http.HttpSessionInstaller}), one {@link dev.isthmus.gateway.http.HttpProxyHandler}
 * per request stream, exchanges that see it only as a {@link dev.isthmus.gateway.http.ClientSide}, the one
 * {@link dev.isthmus.gateway.http.PoolRegistry} of upstream pools (backends here, peer gateways for
 * {@code outbound}), {@code Forwarded} and loop detection. A leaf below the sides: it must not import {@code inbound},
 * {@code outbound}, {@code probe}, {@code admin}, {@code config} or the root package; it offers
 * {@link dev.isthmus.gateway.http.HttpSessions} for the inbound side to call.
 */
package dev.isthmus.gateway.http;

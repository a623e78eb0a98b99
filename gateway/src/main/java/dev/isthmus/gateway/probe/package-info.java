/**
 * The gateway probe. The question: {@link dev.isthmus.gateway.probe.LinkProbes} sends each link's remote
 * gateway {@code GET /ready} on the reserved {@link dev.isthmus.gateway.transport.ProbeTarget}, over the real
 * mTLS path, and marks the link alive or dead. The answer is given by the inbound side of every gateway
 * ({@code SessionRouter} hands the target to {@code HttpSessions#answerProbe}). Each link's probes share one
 * HTTP/2 connection ({@link dev.isthmus.gateway.probe.ProbeConnection}), so a remote gateway at its connection
 * limit is not taken for a dead one. Connections are dialed with {@code peer}'s connector, the same one outbound
 * traffic uses.
 */
package dev.isthmus.gateway.probe;

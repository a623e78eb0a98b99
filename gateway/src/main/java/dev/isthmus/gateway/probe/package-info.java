/**
 * The gateway probe. The question: {@link dev.isthmus.gateway.probe.LinkProbes} sends each link's remote
 * gateway {@code GET /ready} on the reserved {@link dev.isthmus.gateway.probe.ProbeTarget}, over the real
 * mTLS path, and marks the link alive or dead. The answer is given by the inbound side of every gateway
 * ({@code SessionRouter} hands the target to {@code HttpSessions#answerProbe}).
 */
package dev.isthmus.gateway.probe;

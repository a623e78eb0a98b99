/**
 * What every channel pipeline of the gateway shares: {@link dev.isthmus.gateway.pipeline.PipelineTail}, the
 * last handler of each; the handler names more than one side uses ({@link dev.isthmus.gateway.pipeline.HandlerNames});
 * the channel attribute of the authenticated peer ({@link dev.isthmus.gateway.pipeline.PeerAttributes}); and the
 * drain event ({@link dev.isthmus.gateway.pipeline.Drain}). A leaf: it imports nothing of the gateway, so any
 * package may use it.
 */
package dev.isthmus.gateway.pipeline;

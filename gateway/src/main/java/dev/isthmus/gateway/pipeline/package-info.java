/**
 * What every channel pipeline of the gateway shares: {@link dev.isthmus.gateway.pipeline.PipelineTail},
 * the last handler of each. A leaf: it imports nothing of the gateway.
 */
package dev.isthmus.gateway.pipeline;

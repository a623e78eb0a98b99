/**
 * The one controller shape of the mirror module, after Strimzi's {@code AbstractControllerLoop}: a
 * controller wires informers whose events only become keys ({@link dev.isthmus.mirror.loop.Watches}); a
 * {@link dev.isthmus.mirror.loop.ReconcileLoop} takes the keys off a de-duplicating work queue and
 * reconciles each, level-based, retrying failures with backoff. Knows fabric8's informers and nothing
 * of Links, mirrors or splits: it imports no other package of the mirror.
 */
package dev.isthmus.mirror.loop;

/**
 * The Kubernetes vocabulary every other package of the mirror shares: names, labels and annotations
 * ({@link dev.isthmus.mirror.kube.Names}) and what is read off any object's metadata
 * ({@link dev.isthmus.mirror.kube.Metadata}). A leaf: it imports no other package of the mirror.
 */
package dev.isthmus.mirror.kube;

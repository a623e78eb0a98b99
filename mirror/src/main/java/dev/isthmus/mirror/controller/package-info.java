/**
 * The service mirror: one controller per Link ({@link dev.isthmus.mirror.controller.MirrorController}: its
 * informers and the keys their events make), the reconcile of one Service, the Link's status and health, the
 * leader election that runs it ({@link dev.isthmus.mirror.controller.ServiceMirror}). Builds on {@code loop};
 * reads {@code desired}, {@code link} and {@code kube}; must not import {@code routes} or {@code split}.
 */
package dev.isthmus.mirror.controller;

package dev.isthmus.mirror.link;

import dev.isthmus.mirror.kube.Names;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A link from this (source) cluster to a target cluster whose exported services are mirrored here.
 * The schema, with defaults and validation, is {@code crds/links.yaml}; the meaning of each field is in
 * {@code docs/kubernetes.md}.
 */
@Group(Names.LINK_GROUP)
@Version(Names.LINK_VERSION)
@Kind(Names.LINK_KIND)
@Plural(Names.LINK_PLURAL)
public class Link extends CustomResource<LinkSpec, LinkStatus> implements Namespaced {}

package dev.isthmus.mirror.split;

import dev.isthmus.mirror.kube.Names;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * An SMI traffic split ({@code split.smi-spec.io/v1alpha1}), as Linkerd's multicluster walkthrough writes
 * it: {@code spec.service} names the apex clients call, {@code spec.backends} the Services that share its
 * traffic by weight. The schema is {@code crds/trafficsplits.yaml}.
 */
@Group(Names.SPLIT_GROUP)
@Version(Names.SPLIT_VERSION)
@Kind("TrafficSplit")
@Plural("trafficsplits")
public class TrafficSplit extends CustomResource<TrafficSplitSpec, TrafficSplitStatus> implements Namespaced {}

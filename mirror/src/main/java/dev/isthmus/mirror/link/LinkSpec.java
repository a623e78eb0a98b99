package dev.isthmus.mirror.link;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.ArrayList;
import java.util.List;

/** {@code Link.spec}; see {@code docs/kubernetes.md}. Public fields, as Jackson reads and writes them. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class LinkSpec {
    public String targetClusterName;
    public String targetClusterDomain = "cluster.local";
    public String clusterCredentialsSecret;
    /** Comma-separated IPs or host names; empty: follow the target gateway Service's load-balancer status. */
    public String gatewayAddress;
    public Integer gatewayPort = 4143;
    public String gatewayIdentity;
    public ObjectRef gatewayService;
    public ProbeSpec probeSpec;
    public LabelSelector selector;
    public List<String> excludedLabels = new ArrayList<>();
    public List<String> excludedAnnotations = new ArrayList<>();
    public Boolean createNamespaces = false;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static class ObjectRef {
        public String namespace;
        public String name;

        public ObjectRef() {}

        public ObjectRef(String namespace, String name) {
            this.namespace = namespace;
            this.name = name;
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static class ProbeSpec {
        public String path = "/ready";
        public Integer port = 4191;
        /** A Go duration, as Kubernetes writes them: {@code 3s}. */
        public String period = "3s";
        public String timeout = "2s";
        public Integer failureThreshold = 3;
    }
}

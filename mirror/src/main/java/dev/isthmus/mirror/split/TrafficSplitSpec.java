package dev.isthmus.mirror.split;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.IntOrString;
import java.util.ArrayList;
import java.util.List;

/** {@code TrafficSplit.spec}. Public fields, as Jackson reads and writes them. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class TrafficSplitSpec {
    /** The apex: the Service, in the split's namespace, that clients call and Isthmus creates. */
    public String service;
    public List<Backend> backends = new ArrayList<>();

    public TrafficSplitSpec() {}

    public TrafficSplitSpec(String service, List<Backend> backends) {
        this.service = service;
        this.backends = backends;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static class Backend {
        /** A Service in the split's namespace: a local one, or a mirror such as {@code podinfo-east}. */
        public String service;
        /** An integer or a quantity such as {@code 500m}; see {@link SplitWeights}. */
        public IntOrString weight;

        public Backend() {}

        public Backend(String service, IntOrString weight) {
            this.service = service;
            this.weight = weight;
        }
    }
}

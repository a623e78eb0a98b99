package dev.isthmus.mirror.link;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;

/** {@code Link.status}, written by the link's mirror controller through the status subresource. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class LinkStatus {
    /** The remote gateway's addresses the routes use now: from the spec, or followed from the target. */
    public List<String> gatewayAddresses = new ArrayList<>();
    public GatewayHealth gateway;
    public List<Condition> conditions = new ArrayList<>();
    public List<ServiceStatus> mirrorServices = new ArrayList<>();

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static class GatewayHealth {
        public Boolean alive;
        public Double latencyMs;
        public String lastProbeTime;
        public String lastError;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static class ServiceStatus {
        public LinkSpec.ObjectRef remoteRef;
        public List<Condition> conditions = new ArrayList<>();
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static class Condition {
        public String type;
        public String status;
        public String reason;
        public String message;
        public String lastTransitionTime;
        public LinkSpec.ObjectRef localRef;
    }
}

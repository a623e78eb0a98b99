package dev.isthmus.mirror.split;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;

/** {@code TrafficSplit.status}, written by the split controller through the status subresource. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class TrafficSplitStatus {
    public List<Condition> conditions = new ArrayList<>();

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static class Condition {
        public String type;
        public String status;
        public String reason;
        public String message;
        public String lastTransitionTime;
        public Long observedGeneration;
    }
}

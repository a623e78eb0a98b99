{{- /*
The chart does not copy deploy/: it reads it. control-plane/ and multicluster/ beside Chart.yaml are links to
deploy/'s folders, and these helpers build each one as `kubectl kustomize` does (HelmChartIT compares the
three), so a change to deploy/ is a change to the chart without an edit here. Helpers return YAML text
(include returns a string); callers parse it with fromYaml / fromYamlArray.
*/ -}}

{{- /* isthmus.kustomization (list $ "folder"): the folder's kustomization.yaml, parsed. */ -}}
{{- define "isthmus.kustomization" -}}
{{- $root := index . 0 -}}
{{- $dir := index . 1 -}}
{{- $text := $root.Files.Get (printf "%s/kustomization.yaml" $dir) -}}
{{- if not $text -}}
{{- fail (printf "deploy/%s/kustomization.yaml: not in the chart (expected: deploy/helm/isthmus/%s, a link to ../../%s)" $dir $dir $dir) -}}
{{- end -}}
{{- $k := fromYaml $text -}}
{{- if hasKey $k "Error" -}}
{{- fail (printf "deploy/%s/kustomization.yaml: %s (expected: a kustomization)" $dir $k.Error) -}}
{{- end -}}
{{- toYaml $k -}}
{{- end -}}

{{- /* isthmus.resources (list $ "folder"): every document of every file under resources:, in order. */ -}}
{{- define "isthmus.resources" -}}
{{- $root := index . 0 -}}
{{- $dir := index . 1 -}}
{{- $k := include "isthmus.kustomization" . | fromYaml -}}
{{- $objects := list -}}
{{- range $file := $k.resources | default list -}}
{{- $text := $root.Files.Get (printf "%s/%s" $dir $file) -}}
{{- if not $text -}}
{{- fail (printf "deploy/%s/%s: listed in its kustomization but not in the chart (expected: a YAML file)" $dir $file) -}}
{{- end -}}
{{- range $document := regexSplit "(?m)^---[ \\t]*$" $text -1 -}}
{{- $object := fromYaml $document -}}
{{- if hasKey $object "Error" -}}
{{- fail (printf "deploy/%s/%s: %s (expected: Kubernetes objects)" $dir $file $object.Error) -}}
{{- end -}}
{{- if $object -}}
{{- $objects = append $objects $object -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toYaml $objects -}}
{{- end -}}

{{- /*
isthmus.generated (list $ "folder" contents): the Secrets and ConfigMaps of the kustomization's
secretGenerator and configMapGenerator (names fixed: disableNameSuffixHash), with contents (file name ->
text) in place of the files kustomize reads; as Manifests.generate makes them for the CLI.
*/ -}}
{{- define "isthmus.generated" -}}
{{- $dir := index . 1 -}}
{{- $contents := index . 2 -}}
{{- $k := include "isthmus.kustomization" (list (index . 0) $dir) | fromYaml -}}
{{- $options := $k.generatorOptions | default dict -}}
{{- $objects := list -}}
{{- range $kind := list "Secret" "ConfigMap" -}}
{{- range $generator := get $k (ternary "secretGenerator" "configMapGenerator" (eq $kind "Secret")) | default list -}}
{{- $data := dict -}}
{{- range $spec := $generator.files | default list -}}
{{- $parts := regexSplit "=" $spec 2 -}}
{{- $file := last $parts -}}
{{- if not (hasKey $contents $file) -}}
{{- fail (printf "deploy/%s/kustomization.yaml: generator %s reads %s, which the chart has no value for" $dir $generator.name $file) -}}
{{- end -}}
{{- $text := get $contents $file -}}
{{- $_ := set $data (first $parts) (ternary (b64enc $text) $text (eq $kind "Secret")) -}}
{{- end -}}
{{- $labels := merge (dict) (dig "options" "labels" dict $generator) ($options.labels | default dict) -}}
{{- $metadata := dict "name" $generator.name "namespace" $generator.namespace -}}
{{- if $labels -}}{{- $_ := set $metadata "labels" $labels -}}{{- end -}}
{{- with dig "options" "annotations" dict $generator -}}{{- $_ := set $metadata "annotations" (deepCopy .) -}}{{- end -}}
{{- $object := dict "apiVersion" "v1" "kind" $kind "metadata" $metadata "data" $data -}}
{{- if eq $kind "Secret" -}}{{- $_ := set $object "type" ($generator.type | default "Opaque") -}}{{- end -}}
{{- $objects = append $objects $object -}}
{{- end -}}
{{- end -}}
{{- toYaml $objects -}}
{{- end -}}

{{- /* The trust anchors, required by both parts. */ -}}
{{- define "isthmus.anchors" -}}
{{- if not .Values.identityTrustAnchorsPEM -}}
{{- fail "identityTrustAnchorsPEM: empty (expected: the PEM bundle of trust anchors shared by every linked cluster, e.g. --set-file identityTrustAnchorsPEM=root.crt; make one with `isthmus certs root`)" -}}
{{- end -}}
{{- include "isthmus.pem" (list .Values.identityTrustAnchorsPEM "identityTrustAnchorsPEM" "CERTIFICATE") -}}
{{- .Values.identityTrustAnchorsPEM -}}
{{- end -}}

{{- /* isthmus.replace (list text from to): an edit of deploy/'s text that must apply, as the CLI's replace(). */ -}}
{{- define "isthmus.replace" -}}
{{- $text := index . 0 -}}
{{- $from := index . 1 -}}
{{- if not (contains $from $text) -}}
{{- fail (printf "deploy/multicluster gateway.yaml no longer contains '%s' (expected: the text the chart and the CLI edit)" $from) -}}
{{- end -}}
{{- replace $from (index . 2) $text -}}
{{- end -}}

{{- /*
isthmus.gatewayId: gateway.id, else the id `isthmus multicluster install` derives from the cluster
(GatewayId.derivedFrom(trust domain, "isthmus-multicluster", kube-system's UID): the first 60 bits of
SHA-256("isthmus gateway id" NUL td NUL ns NUL uid) in base32 a-z2-7), else none: `helm template` reads no cluster.
*/ -}}
{{- define "isthmus.gatewayId" -}}
{{- if .Values.gateway.id -}}
{{- .Values.gateway.id -}}
{{- else -}}
{{- $uid := dig "metadata" "uid" "" (lookup "v1" "Namespace" "" "kube-system") -}}
{{- if $uid -}}
{{- include "isthmus.derivedGatewayId" (list .Values.identityTrustDomain $uid) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- /* isthmus.derivedGatewayId (list trustDomain uid): GatewayId.derivedFrom(trustDomain, "isthmus-multicluster", uid). */ -}}
{{- define "isthmus.derivedGatewayId" -}}
{{- $hex := sha256sum (printf "isthmus gateway id\x00%s\x00isthmus-multicluster\x00%s" (index . 0) (index . 1)) -}}
{{- $digits := dict "0" 0 "1" 1 "2" 2 "3" 3 "4" 4 "5" 5 "6" 6 "7" 7 "8" 8 "9" 9 "a" 10 "b" 11 "c" 12 "d" 13 "e" 14 "f" 15 -}}
{{- $bits := 0 -}}
{{- range $digit := splitList "" (substr 0 15 $hex) -}}
{{- $bits = add (mul $bits 16) (get $digits $digit) -}}
{{- end -}}
{{- $alphabet := "abcdefghijklmnopqrstuvwxyz234567" -}}
{{- $token := "" -}}
{{- range until 12 -}}
{{- $i := int (mod $bits 32) -}}
{{- $token = print (substr $i (add1 $i | int) $alphabet) $token -}}
{{- $bits = div $bits 32 -}}
{{- end -}}
{{- print "_isthmus-" $token -}}
{{- end -}}

{{- /*
isthmus.pem (list value name label): fails unless value holds a PEM block of that label (CERTIFICATE, or a
PRIVATE KEY of any kind). The message never holds the value: it may be a key.
*/ -}}
{{- define "isthmus.pem" -}}
{{- $value := index . 0 -}}
{{- $label := index . 2 -}}
{{- $begin := ternary "-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----" (printf "-----BEGIN %s-----" $label) (eq $label "PRIVATE KEY") -}}
{{- $end := ternary "-----END [A-Z0-9 ]*PRIVATE KEY-----" (printf "-----END %s-----" $label) (eq $label "PRIVATE KEY") -}}
{{- if and (ne $label "PRIVATE KEY") (contains "PRIVATE KEY" $value) -}}
{{- fail (printf "%s: holds a PRIVATE KEY (%d characters, not shown; expected: certificates only, which the chart publishes in a ConfigMap or Secret as certificates)" (index . 1) (len $value)) -}}
{{- end -}}
{{- if not (regexMatch (printf "(?s)^\\s*%s.*%s\\s*$" $begin $end) $value) -}}
{{- fail (printf "%s: not PEM of a %s (%d characters, not shown; expected: -----BEGIN %s----- ... -----END %s-----, as `isthmus certs` writes)" (index . 1) $label (len $value) $label $label) -}}
{{- end -}}
{{- end -}}

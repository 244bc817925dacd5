{{/* Chart name. */}}
{{- define "omnii-server.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: release and chart, at most 63 characters. */}}
{{- define "omnii-server.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Labels on every object. */}}
{{- define "omnii-server.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{ include "omnii-server.podLabels" . }}
{{- end }}

{{/*
Labels on every pod template: those of the objects without the chart's version and the app's version, so that a new
chart version (a README edit, with Flux's reconcileStrategy Revision a commit) rolls no pod. Pods roll when what they
run or read changes: the pod spec itself, or a checksum annotation of what they mount.
*/}}
{{- define "omnii-server.podLabels" -}}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: omnii
{{- end }}

{{/* Selector labels of the server. */}}
{{- define "omnii-server.selectorLabels" -}}
app.kubernetes.io/name: {{ include "omnii-server.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: server
{{- end }}

{{/* Selector labels of the bundled PostgreSQL. */}}
{{- define "omnii-server.postgresqlSelectorLabels" -}}
app.kubernetes.io/name: {{ include "omnii-server.name" . }}-postgresql
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: database
{{- end }}

{{/*
An image reference: repository@digest when a digest is given (the tag is then only a label for people), else
repository:tag. Called with (dict "image" <image values> "tag" <default tag>).
*/}}
{{- define "omnii-server.image" -}}
{{- if .image.digest }}
{{- printf "%s@%s" .image.repository .image.digest }}
{{- else }}
{{- printf "%s:%s" .image.repository (.image.tag | default .tag) }}
{{- end }}
{{- end }}

{{/* The pull secrets of every workload. */}}
{{- define "omnii-server.imagePullSecrets" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* A bundled component's placement: its nodeSelector, tolerations and affinity (postgresql.*, mosquitto.*). */}}
{{- define "omnii-server.placement" -}}
{{- with .nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* The headless Service that gives the server's StatefulSet its pods' stable names. */}}
{{- define "omnii-server.headlessServiceName" -}}
{{- printf "%s-headless" (include "omnii-server.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "omnii-server.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "omnii-server.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret with the admin token, and the bundled database's password. */}}
{{- define "omnii-server.adminSecretName" -}}
{{- default (printf "%s-admin" (include "omnii-server.fullname" .)) .Values.admin.existingSecret }}
{{- end }}

{{- define "omnii-server.postgresqlName" -}}
{{- printf "%s-postgresql" (include "omnii-server.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The CloudNativePG Cluster; the operator names its Services <name>-rw, -ro, -r and its Secrets <name>-app, ... */}}
{{- define "omnii-server.cnpgName" -}}
{{- .Values.cnpg.clusterName | default (printf "%s-db" (include "omnii-server.fullname" .)) | trunc 50 | trimSuffix "-" }}
{{- end }}

{{/*
Checks the database settings once: one PostgreSQL, the bundled one, a CloudNativePG Cluster or an external one, and
not half of another.
*/}}
{{- define "omnii-server.checkDatabase" -}}
{{- if .Values.cnpg.enabled }}
{{- if .Values.postgresql.enabled }}
{{- fail "cnpg.enabled renders a CloudNativePG Cluster in place of the bundled PostgreSQL: set postgresql.enabled=false too (the bundled one's volume is not migrated: docs/operations.md, PostgreSQL high availability)" }}
{{- end }}
{{- if or .Values.database.url .Values.database.existingSecret }}
{{- fail "database.url and database.existingSecret name an external PostgreSQL, but cnpg.enabled is true: the server uses the Cluster's -rw Service and the operator's <cluster>-app Secret. Unset them, or set cnpg.enabled=false" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "omnii-server.databaseSecretName" -}}
{{- if .Values.postgresql.enabled }}
{{- .Values.postgresql.existingSecret | default (include "omnii-server.postgresqlName" .) }}
{{- else if .Values.cnpg.enabled }}
{{- printf "%s-app" (include "omnii-server.cnpgName" .) }}
{{- else }}
{{- required "database.existingSecret is required with an external database" .Values.database.existingSecret }}
{{- end }}
{{- end }}

{{- define "omnii-server.jdbcUrl" -}}
{{- if .Values.postgresql.enabled }}
{{- printf "jdbc:postgresql://%s:5432/%s" (include "omnii-server.postgresqlName" .) .Values.postgresql.database }}
{{- else if .Values.cnpg.enabled }}
{{- /* The -rw Service follows the primary through a failover. */}}
{{- printf "jdbc:postgresql://%s-rw:5432/%s" (include "omnii-server.cnpgName" .) .Values.cnpg.database }}
{{- else }}
{{- required "database.url is required when postgresql.enabled is false" .Values.database.url }}
{{- end }}
{{- end }}

{{/*
A generated Secret is rendered on every install and upgrade with the values it already holds (see secretValue), and
Helm keeps it when the release is uninstalled (resource policy "keep"), so a reinstall (Flux's install remediation
uninstalls and installs again) adopts it with the passwords the volumes were initialised with.
*/}}
{{- define "omnii-server.generatedSecretAnnotations" -}}
helm.sh/resource-policy: keep
{{- end }}

{{/*
The base64 value of one key of a generated Secret: the value given in the values, else the one the Secret in the
cluster already holds (lookup), else a new random one. Renderers without access to the cluster (helm template, Argo
CD) find no Secret and generate a new value on every rendering: there, use the existingSecret values.
Called with (dict "context" $ "name" <Secret> "key" <key> "given" <value or "">).
*/}}
{{- define "omnii-server.secretValue" -}}
{{- $secret := lookup "v1" "Secret" .context.Release.Namespace .name | default dict }}
{{- $existing := dig "data" .key "" $secret }}
{{- if .given }}{{ .given | b64enc }}{{ else if $existing }}{{ $existing }}{{ else }}{{ randAlphaNum 40 | b64enc }}{{ end }}
{{- end }}

{{/* Selector labels of the bundled Mosquitto. */}}
{{- define "omnii-server.mosquittoSelectorLabels" -}}
app.kubernetes.io/name: {{ include "omnii-server.name" . }}-mosquitto
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: broker
{{- end }}

{{/* The bundled broker's StatefulSet, its in-cluster Service (the server's) and its generated Secret. */}}
{{- define "omnii-server.mosquittoName" -}}
{{- printf "%s-mosquitto" (include "omnii-server.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The Service the homes reach the bundled broker through. */}}
{{- define "omnii-server.mosquittoHomesName" -}}
{{- printf "%s-mosquitto-homes" (include "omnii-server.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The bundled broker has a TLS listener (8883). */}}
{{- define "omnii-server.mosquittoTls" -}}
{{- if .Values.mosquitto.tls.existingSecret }}true{{ end }}
{{- end }}

{{/*
Checks the broker settings once, for every template that uses them: the bundled broker and an external one must not
be half-configured into each other.
*/}}
{{- define "omnii-server.checkBroker" -}}
{{- if .Values.mosquitto.enabled }}
{{- if .Values.mqtt.host }}
{{- fail "mqtt.host names an external broker, but mosquitto.enabled is true: set mosquitto.enabled=false to use it, or unset mqtt.host for the bundled broker" }}
{{- end }}
{{- if and .Values.mosquitto.tls.disablePlainListener (not .Values.mosquitto.tls.existingSecret) }}
{{- fail "mosquitto.tls.disablePlainListener needs mosquitto.tls.existingSecret: without either listener the broker takes no clients" }}
{{- end }}
{{- $session := include "omnii-server.sessionExpirySeconds" . }}
{{- if and $session (gt (int64 $session) (int64 (include "omnii-server.persistentClientExpirationSeconds" .))) }}
{{- fail (printf "mqtt.sessionExpiry (%s) is longer than mosquitto.persistentClientExpiration (%s), which caps it: the broker would drop a replica's session before the window the server asks for ends" .Values.mqtt.sessionExpiry .Values.mosquitto.persistentClientExpiration) }}
{{- end }}
{{- else }}
{{- if not .Values.mqtt.host }}
{{- fail "mqtt.host is required with mosquitto.enabled=false (the external broker)" }}
{{- end }}
{{- if and (not .Values.mqtt.tls.enabled) (or .Values.mqtt.tls.caSecret .Values.mqtt.tls.clientCertificateSecret) }}
{{- fail "mqtt.tls.caSecret and mqtt.tls.clientCertificateSecret need mqtt.tls.enabled=true" }}
{{- end }}
{{- if eq .Values.mqtt.provisioning.mode "mosquitto-dynsec" }}
{{- $_ := required "mqtt.username is required with mqtt.provisioning.mode=mosquitto-dynsec (the server creates its own account)" .Values.mqtt.username }}
{{- $_ := required "mqtt.existingSecret is required with mqtt.provisioning.mode=mosquitto-dynsec (the server's own password)" .Values.mqtt.existingSecret }}
{{- $_ := required "mqtt.provisioning.adminUsername is required with mqtt.provisioning.mode=mosquitto-dynsec" .Values.mqtt.provisioning.adminUsername }}
{{- $_ := required "mqtt.provisioning.existingSecret is required with mqtt.provisioning.mode=mosquitto-dynsec (the admin password)" .Values.mqtt.provisioning.existingSecret }}
{{- end }}
{{- end }}
{{- end }}

{{/* mqtt.sessionExpiry in seconds, when written as a number and a unit (90s, 15m, 1h, 2d); empty for ISO-8601. */}}
{{- define "omnii-server.sessionExpirySeconds" -}}
{{- $v := toString .Values.mqtt.sessionExpiry }}
{{- if regexMatch "^[0-9]+[smhdSMHD]?$" $v }}
{{- $units := dict "s" 1 "m" 60 "h" 3600 "d" 86400 }}
{{- $unit := regexFind "[smhdSMHD]$" $v | lower | default "s" }}
{{- mul (regexFind "^[0-9]+" $v | int64) (get $units $unit) }}
{{- end }}
{{- end }}

{{/* A duration written as a number and a unit (500ms, 10s, 2m, 1h, 1d) in milliseconds; empty for ISO-8601. */}}
{{- define "omnii-server.millis" -}}
{{- $v := toString . }}
{{- if regexMatch "^[0-9]+(ms|s|m|h|d)$" $v }}
{{- $units := dict "ms" 1 "s" 1000 "m" 60000 "h" 3600000 "d" 86400000 }}
{{- mul (regexFind "^[0-9]+" $v | int64) (get $units (regexFind "(ms|s|m|h|d)$" $v)) }}
{{- end }}
{{- end }}

{{/* mosquitto.persistentClientExpiration in seconds, counted as Mosquitto does (a month is 30 days, a year 365). */}}
{{- define "omnii-server.persistentClientExpirationSeconds" -}}
{{- $v := .Values.mosquitto.persistentClientExpiration }}
{{- $units := dict "h" 3600 "d" 86400 "w" 604800 "m" 2592000 "y" 31536000 }}
{{- mul (regexFind "^[0-9]+" $v | int64) (get $units (regexFind "[hdwmy]$" $v)) }}
{{- end }}

{{/*
The scale-out mode: more than one replica, now or under the autoscaler. The home mode is one replica on the node's
network beside the Matter Server.
*/}}
{{- define "omnii-server.scaleOut" -}}
{{- if or .Values.autoscaling.enabled (gt (int .Values.replicaCount) 1) }}true{{ end }}
{{- end }}

{{/* The fewest replicas the server runs with: what the disruption budget and the alerts count on. */}}
{{- define "omnii-server.minReplicas" -}}
{{- ternary .Values.autoscaling.minReplicas .Values.replicaCount .Values.autoscaling.enabled | int }}
{{- end }}

{{/*
Refuses server settings that cannot work. On the node's network every replica needs the same host ports (the API's
and the management port) on a node of its own, and ws://localhost reaches the Matter Server only on the Matter
Server's node: several replicas need pod networking and the Matter Server's Service or node address. Off the node's
network, localhost is the pod's own and never the Matter Server.
*/}}
{{- define "omnii-server.checkScheduling" -}}
{{- $scaleOut := include "omnii-server.scaleOut" . }}
{{- $lease := include "omnii-server.millis" (.Values.replicas.lease | default "10s") }}
{{- $heartbeat := include "omnii-server.millis" (.Values.replicas.heartbeatInterval | default "2s") }}
{{- if and $lease $heartbeat (lt (int64 $lease) (mul 2 (int64 $heartbeat))) }}
{{- fail (printf "replicas.lease (%s) must be at least twice replicas.heartbeatInterval (%s): the server refuses to start otherwise, since one late heartbeat would have the others take a live replica for gone" (.Values.replicas.lease | default "10s") (.Values.replicas.heartbeatInterval | default "2s")) }}
{{- end }}
{{- if and .Values.hostNetwork $scaleOut }}
{{- $what := ternary "autoscaling.enabled" (printf "replicaCount %v" .Values.replicaCount) .Values.autoscaling.enabled }}
{{- fail (printf "%s needs hostNetwork=false (the scale-out mode): on the node's network every replica needs host ports %v and %v on a node of its own, and only the replica on the Matter Server's node reaches it at localhost. Set hostNetwork=false, dnsPolicy=ClusterFirst and matter.url to the Matter Server's Service or node address, or use replicaCount 1" $what .Values.ports.api .Values.ports.management) }}
{{- end }}
{{- if and (not .Values.hostNetwork) (regexMatch "^wss?://(localhost|127\\.[0-9.]+|\\[::1\\])(:[0-9]+)?(/.*)?$" .Values.matter.url) }}
{{- fail (printf "matter.url %s reaches nothing with hostNetwork=false: localhost is then the pod's own. Set matter.url to the Matter Server's Service (e.g. ws://matter-server.home-automation.svc.cluster.local:5580/ws) or its node's address, or to \"\" to turn the Matter relay off" .Values.matter.url) }}
{{- end }}
{{- if .Values.autoscaling.enabled }}
{{- if lt (int .Values.autoscaling.maxReplicas) (int .Values.autoscaling.minReplicas) }}
{{- fail (printf "autoscaling.maxReplicas %v is below autoscaling.minReplicas %v" .Values.autoscaling.maxReplicas .Values.autoscaling.minReplicas) }}
{{- end }}
{{- if not (dig "requests" "cpu" "" .Values.resources) }}
{{- fail "autoscaling.enabled needs resources.requests.cpu: the autoscaler's CPU target is a percentage of it" }}
{{- end }}
{{- end }}
{{- if $scaleOut }}
{{- $replicas := int (include "omnii-server.minReplicas" .) }}
{{- if and .Values.podDisruptionBudget.enabled (gt $replicas 1) (ge (int .Values.podDisruptionBudget.maxUnavailable) $replicas) }}
{{- fail (printf "podDisruptionBudget.maxUnavailable %v lets a drain take all %v replicas at once: set it below %s" (toString .Values.podDisruptionBudget.maxUnavailable) $replicas (ternary "autoscaling.minReplicas" "replicaCount" .Values.autoscaling.enabled)) }}
{{- end }}
{{- if and (eq .Values.spread.podAntiAffinity "hard") .Values.matterServerAffinity.enabled }}
{{- fail "spread.podAntiAffinity hard and matterServerAffinity.enabled cannot both hold for several replicas: one replica per node, and every replica on the Matter Server's node. Use spread.podAntiAffinity soft, or matterServerAffinity.enabled=false" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
The scale-out mode's placement: replicas spread over nodes (and zones), and kept apart by pod anti-affinity unless
the values' own affinity says how. Nothing in the home mode.
*/}}
{{- define "omnii-server.topologySpreadConstraints" -}}
{{- if include "omnii-server.scaleOut" . }}
{{- range $key, $when := dict "kubernetes.io/hostname" .Values.spread.nodes "topology.kubernetes.io/zone" .Values.spread.zones }}
{{- if $when }}
- maxSkew: 1
  topologyKey: {{ $key }}
  whenUnsatisfiable: {{ $when }}
  labelSelector:
    matchLabels:
      {{- include "omnii-server.selectorLabels" $ | nindent 6 }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{- define "omnii-server.podAntiAffinity" -}}
{{- if and (include "omnii-server.scaleOut" .) (not (hasKey .Values.affinity "podAntiAffinity")) }}
{{- $term := dict "topologyKey" "kubernetes.io/hostname" "labelSelector" (dict "matchLabels" (include "omnii-server.selectorLabels" . | fromYaml)) }}
{{- if eq .Values.spread.podAntiAffinity "soft" }}
podAntiAffinity:
  preferredDuringSchedulingIgnoredDuringExecution:
    - weight: 100
      podAffinityTerm:
        {{- toYaml $term | nindent 8 }}
{{- else if eq .Values.spread.podAntiAffinity "hard" }}
podAntiAffinity:
  requiredDuringSchedulingIgnoredDuringExecution:
    - {{- toYaml $term | nindent 6 }}
{{- end }}
{{- end }}
{{- end }}

{{/* What the server dials: the bundled broker's in-cluster Service, or the external broker. */}}
{{- define "omnii-server.mqttHost" -}}
{{- if .Values.mosquitto.enabled }}
{{- include "omnii-server.mosquittoName" . }}
{{- else }}
{{- .Values.mqtt.host }}
{{- end }}
{{- end }}

{{/* The server connects over TLS: to the bundled broker only when its plain listener is closed. */}}
{{- define "omnii-server.mqttTls" -}}
{{- if .Values.mosquitto.enabled }}
{{- if .Values.mosquitto.tls.disablePlainListener }}true{{ end }}
{{- else if .Values.mqtt.tls.enabled }}true
{{- end }}
{{- end }}

{{- define "omnii-server.mqttPort" -}}
{{- if .Values.mosquitto.enabled }}
{{- ternary 8883 1883 (eq (include "omnii-server.mqttTls" .) "true") }}
{{- else }}
{{- .Values.mqtt.port }}
{{- end }}
{{- end }}

{{/* The Secret with the broker's CA for the server (key ca.crt), if any. */}}
{{- define "omnii-server.mqttCaSecret" -}}
{{- if .Values.mosquitto.enabled }}
{{- if .Values.mosquitto.tls.disablePlainListener }}{{ .Values.mosquitto.tls.existingSecret }}{{ end }}
{{- else if .Values.mqtt.tls.enabled }}
{{- .Values.mqtt.tls.caSecret }}
{{- end }}
{{- end }}

{{/* The Secret with the server's client certificate (tls.crt, tls.key), if any: external brokers only. */}}
{{- define "omnii-server.mqttClientCertificateSecret" -}}
{{- if and (not .Values.mosquitto.enabled) .Values.mqtt.tls.enabled }}
{{- .Values.mqtt.tls.clientCertificateSecret }}
{{- end }}
{{- end }}

{{- define "omnii-server.mqttUsername" -}}
{{- if .Values.mosquitto.enabled }}
{{- .Values.mqtt.username | default "omnii-server" }}
{{- else }}
{{- .Values.mqtt.username }}
{{- end }}
{{- end }}

{{/* The Secret with the server's broker password (key mqtt-password), if any. */}}
{{- define "omnii-server.mqttPasswordSecret" -}}
{{- if .Values.mqtt.existingSecret }}
{{- .Values.mqtt.existingSecret }}
{{- else if .Values.mosquitto.enabled }}
{{- include "omnii-server.mosquittoName" . }}
{{- end }}
{{- end }}

{{- define "omnii-server.provisioningMode" -}}
{{- ternary "mosquitto-dynsec" .Values.mqtt.provisioning.mode .Values.mosquitto.enabled }}
{{- end }}

{{- define "omnii-server.provisioningAdminUsername" -}}
{{- ternary .Values.mosquitto.admin.username .Values.mqtt.provisioning.adminUsername .Values.mosquitto.enabled }}
{{- end }}

{{/* The Secret with the dynamic-security admin's password (key admin-password). */}}
{{- define "omnii-server.provisioningAdminSecret" -}}
{{- if .Values.mosquitto.enabled }}
{{- .Values.mosquitto.admin.existingSecret | default (include "omnii-server.mosquittoName" .) }}
{{- else }}
{{- .Values.mqtt.provisioning.existingSecret }}
{{- end }}
{{- end }}

{{/*
The URL the instances are told to use. Unset, the broker's in-cluster address: the homes' Service of the bundled
broker (TLS when it has a TLS listener), or the external broker as the server reaches it.
*/}}
{{- define "omnii-server.instanceBrokerUrl" -}}
{{- if .Values.mqtt.instanceBrokerUrl }}
{{- .Values.mqtt.instanceBrokerUrl }}
{{- else if .Values.mosquitto.enabled }}
{{- $tls := eq (include "omnii-server.mosquittoTls" .) "true" }}
{{- printf "%s://%s.%s.svc.cluster.local:%d" (ternary "mqtts" "mqtt" $tls) (include "omnii-server.mosquittoHomesName" .) .Release.Namespace (ternary 8883 1883 $tls) }}
{{- else }}
{{- printf "%s://%s:%v" (ternary "mqtts" "mqtt" .Values.mqtt.tls.enabled) .Values.mqtt.host .Values.mqtt.port }}
{{- end }}
{{- end }}

{{/* The bundled broker's container security context: the restricted profile. */}}
{{- define "omnii-server.mosquittoContainerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop:
    - ALL
{{- end }}

{{/* The bundled broker's mosquitto.conf. */}}
{{- define "omnii-server.mosquittoConfig" -}}
{{- $limits := .Values.mosquitto.limits -}}
# Written by the omnii-server chart.
# Nobody connects without an account; accounts and roles live in the dynamic-security plugin, which Omnii Server
# manages with the admin account.
allow_anonymous false
plugin /usr/lib/mosquitto_dynamic_security.so
plugin_opt_config_file /mosquitto/data/dynamic-security.json

# Sessions and their queued messages survive a restart.
persistence true
persistence_location /mosquitto/data/
# A session whose client has been away this long is dropped: MQTT 3.1.1 persistent sessions would otherwise live
# forever (and one left in the server's shared group keep taking its share); MQTT 5 sessions are capped at this.
persistent_client_expiration {{ .Values.mosquitto.persistentClientExpiration }}
log_dest stdout

# Mosquitto 2.0's default limits drop QoS 1 messages under load: set them on purpose.
max_inflight_messages {{ int64 $limits.maxInflightMessages }}
max_queued_messages {{ int64 $limits.maxQueuedMessages }}
max_queued_bytes {{ int64 $limits.maxQueuedBytes }}
# Small packets (PUBACKs, heartbeats) leave at once instead of waiting on Nagle's algorithm.
set_tcp_nodelay true
{{- if not .Values.mosquitto.tls.disablePlainListener }}

# Plain MQTT{{ if .Values.mosquitto.tls.existingSecret }}, for the server in the cluster{{ end }}.
listener 1883
{{- end }}
{{- if .Values.mosquitto.tls.existingSecret }}

# MQTT over TLS, for the homes{{ if .Values.mosquitto.tls.disablePlainListener }} and the server{{ end }}.
listener 8883
certfile /mosquitto/tls/tls.crt
keyfile /mosquitto/tls/tls.key
{{- end }}
{{- end }}

{{/* The server sits behind a proxy: the Ingress, the HTTPRoute, or one of the user's own (reverseProxy.enabled). */}}
{{- define "omnii-server.proxied" -}}
{{- if or .Values.reverseProxy.enabled .Values.ingress.enabled .Values.httpRoute.enabled }}true{{ end }}
{{- end }}

{{/*
Behind a proxy the server takes the client's scheme and address from the proxy's X-Forwarded-* headers: the console's
cookie is Secure only on https, and its redirects and sign-in origin check use the scheme the browser used. The Host
header is the proxy's to pass on (ingress controllers and gateways do).
*/}}
{{- define "omnii-server.reverseProxyEnv" -}}
{{- if include "omnii-server.proxied" . }}
- name: QUARKUS_HTTP_PROXY_PROXY_ADDRESS_FORWARDING
  value: "true"
- name: QUARKUS_HTTP_PROXY_ALLOW_X_FORWARDED
  value: "true"
{{- with .Values.reverseProxy.trustedProxies }}
- name: QUARKUS_HTTP_PROXY_TRUSTED_PROXIES
  value: {{ join "," . | quote }}
{{- end }}
{{- end }}
{{- end }}

{{/*
On the node's network the API also answers on port 3001 of every node, past the proxy: with the headers taken from
any sender, a client there could forge X-Forwarded-For and pick a fresh address for each try at the enrollment and
sign-in throttles. Refused rather than rendered open.
*/}}
{{- define "omnii-server.checkProxy" -}}
{{- if and (include "omnii-server.proxied" .) .Values.hostNetwork (not .Values.reverseProxy.trustedProxies) }}
{{- fail (printf "reverseProxy.trustedProxies is required with hostNetwork=true behind a proxy (ingress.enabled, httpRoute.enabled or reverseProxy.enabled): port %v of every node would take X-Forwarded-* headers from any client, which could then forge its address past the enrollment and sign-in throttles. Set it to the proxy's addresses, e.g. the ingress controller's or gateway's pod CIDR (10.42.0.0/16 on k3s), or set hostNetwork=false" (.Values.ports.api)) }}
{{- end }}
{{- end }}

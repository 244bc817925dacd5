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

{{- define "omnii-server.databaseSecretName" -}}
{{- if .Values.postgresql.enabled }}
{{- include "omnii-server.postgresqlName" . }}
{{- else }}
{{- required "database.existingSecret is required with an external database" .Values.database.existingSecret }}
{{- end }}
{{- end }}

{{- define "omnii-server.jdbcUrl" -}}
{{- if .Values.postgresql.enabled }}
{{- printf "jdbc:postgresql://%s:5432/%s" (include "omnii-server.postgresqlName" .) .Values.postgresql.database }}
{{- else }}
{{- required "database.url is required when postgresql.enabled is false" .Values.database.url }}
{{- end }}
{{- end }}

{{/*
A generated secret is rendered at install only, and kept by Helm afterwards (resource policy "keep"), so upgrades
never change a password the database was initialised with. No lookup of the cluster is needed: helm template and
GitOps renderers work the same.
*/}}
{{- define "omnii-server.generatedSecretAnnotations" -}}
helm.sh/resource-policy: keep
{{- end }}

{{/*
The chart's name: "ordinal" unless nameOverride says otherwise. It is also the value of the app.kubernetes.io/name
label that the Service, the NetworkPolicy and the ServiceMonitor select the operator pod by.
*/}}
{{- define "ordinal.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The name of every object: the release name when it contains the chart's name (so `helm install ordinal` names them
"ordinal", as kubernetes/ does), else <release>-<name>; fullnameOverride wins.
*/}}
{{- define "ordinal.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := include "ordinal.name" . }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* The labels kubernetes/ puts on the operator's objects. */}}
{{- define "ordinal.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ordinal.name" . }}
{{- end }}

{{/* Those, plus Helm's: on every object of the chart. */}}
{{- define "ordinal.labels" -}}
{{ include "ordinal.selectorLabels" . }}
{{ include "ordinal.helmLabels" . }}
{{- end }}

{{/* Helm's own labels: the only ones on the CRDs, which kubernetes/crds ships without labels. */}}
{{- define "ordinal.helmLabels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Chart.AppVersion }}
app.kubernetes.io/version: {{ . | quote }}
{{- end }}
{{- end }}

{{/* The ServiceAccount the operator runs as. */}}
{{- define "ordinal.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "ordinal.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is needed when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* registry/repository:tag, or repository@digest. */}}
{{- define "ordinal.image" -}}
{{- $repository := .Values.image.repository }}
{{- if .Values.image.registry }}
{{- $repository = printf "%s/%s" (trimSuffix "/" .Values.image.registry) .Values.image.repository }}
{{- end }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" $repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" $repository (default .Chart.AppVersion .Values.image.tag | toString) }}
{{- end }}
{{- end }}

{{/*
The `rules` of the one document of a file under files/ (the symbolic links to kubernetes/rbac and
kubernetes/monitoring): the chart's roles grant exactly what the kustomize install's do, read from the same files.
*/}}
{{- define "ordinal.rulesOf" -}}
{{- $doc := .root.Files.Get .file | fromYaml }}
{{- if or (not $doc) (hasKey $doc "Error") (not $doc.rules) }}
{{- fail (printf "the chart reads the rules of %s, which it cannot find or parse (charts/ordinal/files links to kubernetes/)" .file) }}
{{- end }}
{{- toYaml $doc.rules }}
{{- end }}

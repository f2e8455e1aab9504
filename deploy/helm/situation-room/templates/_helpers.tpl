{{/* Names and labels. */}}
{{- define "sitroom.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "sitroom.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "sitroom.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "sitroom.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels of one component (worker or slack): pass (dict "root" $ "component" "worker"). */}}
{{- define "sitroom.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sitroom.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "sitroom.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "sitroom.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "sitroom.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* The https:// base every Slack link starts with. */}}
{{- define "sitroom.publicUrl" -}}
{{- if .Values.publicUrl -}}
{{- .Values.publicUrl | trimSuffix "/" -}}
{{- else if ne .Values.exposure.type "none" -}}
{{- printf "https://%s" (required "exposure.host is required with exposure.type route or ingress" .Values.exposure.host) -}}
{{- end -}}
{{- end -}}

{{/* Where the pods keep their state: the target checkout and the product's data folder (worktrees). */}}
{{- define "sitroom.stateDir" -}}/var/lib/sitroom{{- end -}}
{{- define "sitroom.targetDir" -}}/var/lib/sitroom/target{{- end -}}
{{- define "sitroom.homeDir" -}}/home/sitroom{{- end -}}

{{/*
Secret-backed variables. The Slack app's and the dashboard's secrets go to the slack process only; the rest
to both. Pass (dict "root" $ "component" "worker").
*/}}
{{- define "sitroom.secretEnv" -}}
{{- $root := .root -}}
{{- $slackOnly := list "SLACK_BOT_TOKEN" "SLACK_SIGNING_SECRET" "SLACK_APP_TOKEN" "SITROOM_DASHBOARD_SECRET" "CI_WEBHOOK_SECRET" -}}
{{- range $name, $ref := $root.Values.secrets.env }}
{{- if and $ref (or (eq $.component "slack") (not (has $name $slackOnly))) }}
- name: {{ $name }}
  valueFrom:
    secretKeyRef:
      name: {{ default $root.Values.secrets.existingSecret $ref.secret | required (printf "secrets.existingSecret (or secrets.env.%s.secret) is required" $name) }}
      key: {{ required (printf "secrets.env.%s.key is required" $name) $ref.key }}
      {{- if $ref.optional }}
      optional: true
      {{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Settings both processes share. */}}
{{- define "sitroom.commonEnv" -}}
- name: TARGET_REPO
  value: {{ include "sitroom.targetDir" . | quote }}
- name: HOME
  value: {{ include "sitroom.homeDir" . | quote }}
- name: TEMPORAL_ADDRESS
  value: {{ required "temporal.address is required (host:port of the Temporal frontend)" .Values.temporal.address | quote }}
- name: TEMPORAL_NAMESPACE
  value: {{ .Values.temporal.namespace | quote }}
- name: TEMPORAL_TASK_QUEUE
  value: {{ .Values.temporal.taskQueue | quote }}
{{- if .Values.temporal.tls.enabled }}
- name: TEMPORAL_TLS
  value: "true"
{{- if .Values.temporal.tls.serverName }}
- name: TEMPORAL_TLS_SERVER_NAME
  value: {{ .Values.temporal.tls.serverName | quote }}
{{- end }}
{{- if .Values.temporal.tls.existingSecret }}
- name: TEMPORAL_TLS_CLIENT_CERT_PATH
  value: /etc/sitroom/temporal-tls/{{ .Values.temporal.tls.certKey }}
- name: TEMPORAL_TLS_CLIENT_KEY_PATH
  value: /etc/sitroom/temporal-tls/{{ .Values.temporal.tls.keyKey }}
{{- if .Values.temporal.tls.caKey }}
- name: TEMPORAL_TLS_SERVER_CA_CERT_PATH
  value: /etc/sitroom/temporal-tls/{{ .Values.temporal.tls.caKey }}
{{- end }}
{{- end }}
{{- end }}
{{- with (include "sitroom.publicUrl" .) }}
- name: SITROOM_PUBLIC_URL
  value: {{ . | quote }}
{{- end }}
{{- end -}}

{{/* The init container that clones the target repository, or brings an existing clone up to date
(deploy/target-checkout.sh in the image). Pass (dict "root" $ "depth" N). */}}
{{- define "sitroom.cloneContainer" -}}
- name: target-checkout
  image: {{ include "sitroom.image" .root }}
  imagePullPolicy: {{ .root.Values.image.pullPolicy }}
  command: ["/bin/sh", "/app/deploy/target-checkout.sh"]
  env:
    - name: TARGET_REPO
      value: {{ include "sitroom.targetDir" .root | quote }}
    - name: TARGET_REPO_URL
      value: {{ .root.Values.targetRepo.url | quote }}
    - name: TARGET_REPO_REF
      value: {{ .root.Values.targetRepo.ref | quote }}
    - name: TARGET_REPO_DEPTH
      value: {{ .depth | quote }}
    - name: SITROOM_DATA_DIR
      value: {{ include "sitroom.stateDir" .root }}/data
    - name: HOME
      value: {{ include "sitroom.homeDir" .root | quote }}
    {{- if .root.Values.secrets.gitCredentials.secret }}
    - name: GIT_CREDENTIALS_FILE
      value: /etc/sitroom/git/{{ .root.Values.secrets.gitCredentials.key }}
    {{- end }}
  securityContext:
    {{- toYaml .root.Values.containerSecurityContext | nindent 4 }}
  volumeMounts:
    {{- include "sitroom.volumeMounts" .root | nindent 4 }}
  resources:
    requests: { cpu: 100m, memory: 256Mi }
    limits: { cpu: "1", memory: 1Gi }
{{- end -}}

{{- define "sitroom.volumeMounts" -}}
# The checkout, and the product's data folder (worktrees): the image links /app/.data to <state>/data.
- name: state
  mountPath: {{ include "sitroom.stateDir" . }}
- name: home
  mountPath: {{ include "sitroom.homeDir" . }}
- name: tmp
  mountPath: /tmp
{{- if .Values.secrets.gitCredentials.secret }}
- name: git-credentials
  mountPath: /etc/sitroom/git
  readOnly: true
{{- end }}
{{- if and .Values.temporal.tls.enabled .Values.temporal.tls.existingSecret }}
- name: temporal-tls
  mountPath: /etc/sitroom/temporal-tls
  readOnly: true
{{- end }}
{{- end -}}

{{/* Pass (dict "root" $ "persistent" true|false). */}}
{{- define "sitroom.volumes" -}}
{{- $root := .root -}}
{{- if .persistent }}
- name: state
  persistentVolumeClaim:
    claimName: {{ default (printf "%s-target" (include "sitroom.fullname" $root)) $root.Values.targetRepo.persistence.existingClaim }}
{{- else }}
- name: state
  emptyDir:
    sizeLimit: {{ $root.Values.targetRepo.emptyDirSizeLimit }}
{{- end }}
- name: home
  emptyDir: {}
- name: tmp
  emptyDir: {}
{{- if $root.Values.secrets.gitCredentials.secret }}
- name: git-credentials
  secret:
    secretName: {{ $root.Values.secrets.gitCredentials.secret }}
    defaultMode: 0440
{{- end }}
{{- if and $root.Values.temporal.tls.enabled $root.Values.temporal.tls.existingSecret }}
- name: temporal-tls
  secret:
    secretName: {{ $root.Values.temporal.tls.existingSecret }}
    defaultMode: 0440
{{- end }}
{{- end -}}

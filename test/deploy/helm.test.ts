// The Helm chart (deploy/helm/situation-room) as a cluster admin installs it: `helm lint`, then `helm template`
// with the default values and the OpenShift and Ingress examples under ci/, every rendered object checked
// against Kubernetes' own schemas (kubernetes-models). OpenShift's Route has no schema package on npm
// (@kubernetes-models/openshift is not published), so its fields are checked here against the route.openshift.io/v1 API.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as apps from 'kubernetes-models/apps/v1';
import * as networking from 'kubernetes-models/networking.k8s.io/v1';
import * as core from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { variableNames } from '../../src/config/variables.js';
import { repoRoot } from '../../src/paths.js';
import { findHelm } from '../support/helm.js';
import { needs } from '../support/requirements.js';

const chart = join(repoRoot, 'deploy/helm/situation-room');
const helm = findHelm();

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
}
interface Container {
  name: string;
  args?: string[];
  env?: EnvVar[];
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean; capabilities?: { drop?: string[] }; seccompProfile?: { type: string } };
  readinessProbe?: { exec?: { command: string[] } };
  livenessProbe?: { exec?: { command: string[] } };
  lifecycle?: unknown;
}
interface PodSpec {
  terminationGracePeriodSeconds?: number;
  hostUsers?: boolean;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type: string } };
  initContainers?: Container[];
  containers: Container[];
}

const valueSets = [
  { name: 'default', files: [] as string[] },
  { name: 'OpenShift', files: ['ci/openshift-values.yaml'] },
  { name: 'Ingress', files: ['ci/ingress-values.yaml'] },
];

function runHelm(args: string[]) {
  return spawnSync(helm!, args, { cwd: chart, encoding: 'utf8' });
}

function render(files: string[], extra: string[] = []): Manifest[] {
  const result = runHelm(['template', 'sitroom', '.', '--namespace', 'hypershift-team', ...files.flatMap((f) => ['-f', f]), ...extra]);
  if (result.status !== 0) throw new Error(`helm template failed:\n${result.stderr}`);
  return parseAllDocuments(result.stdout)
    .map((doc) => doc.toJSON() as Manifest | null)
    .filter((m): m is Manifest => m !== null);
}

type Model = new (data: unknown) => { validate(): void };
const modelsByApiVersion: Record<string, Record<string, unknown>> = { v1: core, 'apps/v1': apps, 'networking.k8s.io/v1': networking };

const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const routeSpecFields = new Set(['host', 'subdomain', 'path', 'to', 'alternateBackends', 'port', 'tls', 'wildcardPolicy', 'httpHeaders']);
const routeTlsFields = new Set(['termination', 'certificate', 'key', 'caCertificate', 'destinationCACertificate', 'insecureEdgeTerminationPolicy', 'externalCertificate']);

/** route.openshift.io/v1 Route: the required fields and enumerations of OpenShift's API, and no unknown spec field. */
function routeProblems(route: Manifest): string[] {
  const problems: string[] = [];
  const spec = (route.spec ?? {}) as { host?: unknown; path?: unknown; to?: { kind?: unknown; name?: unknown; weight?: unknown }; port?: { targetPort?: unknown }; tls?: Record<string, unknown>; wildcardPolicy?: unknown };
  if (!dns1123Subdomain.test(route.metadata.name) || route.metadata.name.length > 253) problems.push(`metadata.name ${route.metadata.name} is not a DNS subdomain`);
  for (const key of Object.keys(spec)) if (!routeSpecFields.has(key)) problems.push(`spec.${key} is not a Route field`);
  if (!spec.to || spec.to.kind !== 'Service') problems.push('spec.to.kind must be Service');
  if (typeof spec.to?.name !== 'string' || !spec.to.name) problems.push('spec.to.name is required');
  if (spec.to?.weight !== undefined && (!Number.isInteger(spec.to.weight) || (spec.to.weight as number) < 0 || (spec.to.weight as number) > 256)) problems.push('spec.to.weight must be 0–256');
  if (spec.host !== undefined && (typeof spec.host !== 'string' || !dns1123Subdomain.test(spec.host))) problems.push(`spec.host ${String(spec.host)} is not a DNS subdomain`);
  if (spec.path !== undefined && (typeof spec.path !== 'string' || !spec.path.startsWith('/'))) problems.push('spec.path must start with /');
  if (spec.port && typeof spec.port.targetPort !== 'string' && !Number.isInteger(spec.port.targetPort)) problems.push('spec.port.targetPort must be a port name or number');
  if (spec.tls) {
    for (const key of Object.keys(spec.tls)) if (!routeTlsFields.has(key)) problems.push(`spec.tls.${key} is not a TLS field`);
    if (!['edge', 'passthrough', 'reencrypt'].includes(spec.tls.termination as string)) problems.push('spec.tls.termination must be edge, passthrough or reencrypt');
    if (spec.tls.insecureEdgeTerminationPolicy !== undefined && !['Allow', 'None', 'Redirect', ''].includes(spec.tls.insecureEdgeTerminationPolicy as string)) problems.push('spec.tls.insecureEdgeTerminationPolicy must be Allow, None or Redirect');
  }
  if (spec.wildcardPolicy !== undefined && !['None', 'Subdomain'].includes(spec.wildcardPolicy as string)) problems.push('spec.wildcardPolicy must be None or Subdomain');
  return problems;
}

/** Throws with the object's kind and name when Kubernetes' schema (or the Route check) rejects it. */
function validate(manifest: Manifest): void {
  const where = `${manifest.kind} ${manifest.metadata?.name}`;
  if (manifest.apiVersion === 'route.openshift.io/v1' && manifest.kind === 'Route') {
    const problems = routeProblems(manifest);
    if (problems.length) throw new Error(`${where}: ${problems.join('; ')}`);
    return;
  }
  const model = modelsByApiVersion[manifest.apiVersion]?.[manifest.kind] as Model | undefined;
  if (!model) throw new Error(`${where}: no schema for ${manifest.apiVersion} ${manifest.kind}`);
  try {
    new model(manifest).validate();
  } catch (err) {
    throw new Error(`${where}: ${(err as Error).message}`);
  }
}

const byKind = (manifests: Manifest[], kind: string) => manifests.filter((m) => m.kind === kind);
function deployment(manifests: Manifest[], component: 'worker' | 'slack'): PodSpec {
  const found = manifests.find((m) => m.kind === 'Deployment' && m.metadata.labels?.['app.kubernetes.io/component'] === component);
  if (!found) throw new Error(`no ${component} Deployment rendered`);
  return (found.spec as { template: { spec: PodSpec } }).template.spec;
}
const envNames = (c: Container) => (c.env ?? []).map((e) => e.name);

describe('Helm chart deploy/helm/situation-room', () => {
  needs('helm');

  it.for(valueSets)('passes helm lint --strict with the $name values', (set) => {
    const result = runHelm(['lint', '.', '--strict', ...set.files.flatMap((f) => ['-f', f])]);
    expect(result.stdout + result.stderr).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(result.status).toBe(0);
  });

  it.for(valueSets)('renders with the $name values into objects that all validate against the Kubernetes schemas', (set) => {
    const manifests = render(set.files);
    for (const manifest of manifests) validate(manifest);
    const kinds = manifests.map((m) => m.kind).sort();
    expect(kinds.filter((k) => k === 'Deployment')).toHaveLength(2);
    expect(kinds).toContain('Service');
    expect(kinds).not.toContain('Secret');
    if (set.name === 'OpenShift') {
      expect(byKind(manifests, 'Route')).toHaveLength(2);
      expect(kinds).not.toContain('Ingress');
      expect(kinds).toContain('PersistentVolumeClaim');
    } else {
      expect(byKind(manifests, 'Ingress')).toHaveLength(1);
      expect(kinds).not.toContain('Route');
    }
  });

  it('reports an object the schemas reject, naming it and the field', () => {
    const manifests = render([], ['--set-string', 'worker.replicas=two']);
    const worker = manifests.find((m) => m.kind === 'Deployment' && m.metadata.name.endsWith('-worker'))!;
    expect(() => validate(worker)).toThrow(/Deployment sitroom-situation-room-worker: .*replicas must be integer/);
    const route = render(['ci/openshift-values.yaml']).find((m) => m.kind === 'Route')!;
    expect(() => validate({ ...route, spec: { ...route.spec, to: { kind: 'Service' }, tls: { termination: 'Edge' } } })).toThrow(/spec.to.name is required; spec.tls.termination must be edge/);
  });

  it('refuses one persistent checkout shared by several worker replicas', () => {
    const result = runHelm(['template', 'sitroom', '.', '--set', 'targetRepo.persistence.enabled=true', '--set', 'worker.replicas=2']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/with worker.replicas > 1 leave it off/);
  });

  it("gives the worker time to drain: the pod's grace period covers the worker's shutdownGraceTime", () => {
    const source = readFileSync(join(repoRoot, 'src/temporal/worker.ts'), 'utf8');
    const grace = Number(/shutdownGraceTime: '(\d+) seconds'/.exec(source)?.[1]);
    expect(grace).toBeGreaterThan(0);
    const values = parse(readFileSync(join(chart, 'values.yaml'), 'utf8')) as { worker: { shutdownGraceSeconds: number } };
    expect(values.worker.shutdownGraceSeconds).toBe(grace);
    for (const set of valueSets) {
      const worker = deployment(render(set.files), 'worker');
      expect(worker.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(grace + 10);
      expect(worker.containers[0]!.args).toEqual(['worker']);
    }
  });

  it('runs every container as non-root without privilege escalation, on a read-only root filesystem', () => {
    for (const set of valueSets) {
      const manifests = render(set.files);
      for (const component of ['worker', 'slack'] as const) {
        const pod = deployment(manifests, component);
        expect(pod.securityContext?.runAsNonRoot, `${set.name} ${component}`).toBe(true);
        // OpenShift's restricted-v2 SCC assigns the UID; a fixed one would be refused.
        if (set.name === 'OpenShift') expect(pod.securityContext?.runAsUser).toBeUndefined();
        else expect(pod.securityContext?.runAsUser).toBeGreaterThan(0);
        for (const container of [...(pod.initContainers ?? []), ...pod.containers]) {
          expect(container.securityContext?.allowPrivilegeEscalation, `${set.name} ${container.name}`).toBe(false);
          expect(container.securityContext?.readOnlyRootFilesystem).toBe(true);
          expect(container.securityContext?.capabilities?.drop).toEqual(['ALL']);
        }
      }
    }
  });

  it("states the sandbox's needs: user namespaces or an unconfined seccomp profile, only for the worker", () => {
    const openshift = render(['ci/openshift-values.yaml']);
    expect(deployment(openshift, 'worker').hostUsers).toBe(false);
    expect(deployment(openshift, 'slack').hostUsers).toBeUndefined();
    const ingress = render(['ci/ingress-values.yaml']);
    expect(deployment(ingress, 'worker').containers[0]!.securityContext?.seccompProfile).toEqual({ type: 'Unconfined' });
    expect(deployment(ingress, 'slack').containers[0]!.securityContext?.seccompProfile).toBeUndefined();
    const defaults = deployment(render([]), 'worker');
    expect(defaults.hostUsers).toBeUndefined();
    expect(defaults.containers[0]!.securityContext?.seccompProfile).toBeUndefined();
  });

  it('probes the health endpoint the product serves and the ready file the worker writes', () => {
    const server = readFileSync(join(repoRoot, 'src/http/server.ts'), 'utf8');
    const processes = readFileSync(join(repoRoot, 'src/main/processes.ts'), 'utf8');
    expect(server).toContain("req.url === '/healthz'");
    expect(processes).toContain("'sitroom-worker-ready'");
    const manifests = render([]);
    const slack = deployment(manifests, 'slack').containers[0]!;
    const port = slack.env?.find((e) => e.name === 'PORT')?.value;
    for (const probe of [slack.readinessProbe, slack.livenessProbe]) expect(probe?.exec?.command.join(' ')).toContain(`http://127.0.0.1:${port}/healthz`);
    const worker = deployment(manifests, 'worker').containers[0]!;
    expect(worker.readinessProbe?.exec?.command).toEqual(['test', '-f', '/tmp/sitroom-worker-ready']);
  });

  it('takes every secret by reference, and gives the Slack and dashboard secrets to the Slack process only', () => {
    const manifests = render(['ci/openshift-values.yaml']);
    const worker = deployment(manifests, 'worker').containers[0]!;
    const slack = deployment(manifests, 'slack').containers[0]!;
    const secretNames = ['DATABASE_URL', 'ANTHROPIC_API_KEY', 'GITHUB_TOKEN', 'JIRA_TOKEN', 'TEMPORAL_API_KEY'];
    const slackOnly = ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'SITROOM_DASHBOARD_SECRET', 'CI_WEBHOOK_SECRET'];
    for (const name of [...secretNames, ...slackOnly]) {
      const variable = slack.env?.find((e) => e.name === name);
      expect(variable?.valueFrom?.secretKeyRef, name).toMatchObject({ name: 'situation-room', key: name });
      expect(variable?.value).toBeUndefined();
    }
    for (const name of secretNames) expect(envNames(worker)).toContain(name);
    for (const name of slackOnly) expect(envNames(worker)).not.toContain(name);
    // mTLS to Temporal: the client certificate from a mounted Secret, by path.
    expect(worker.env?.find((e) => e.name === 'TEMPORAL_TLS_CLIENT_CERT_PATH')?.value).toBe('/etc/sitroom/temporal-tls/tls.crt');
    const configMap = byKind(manifests, 'ConfigMap')[0]!;
    expect(Object.values(configMap.data ?? {}).join(' ')).not.toMatch(/xox[bpa]-|sk-ant-/);
  });

  it('exposes the dashboard and /slack/events on one host with TLS, and links Slack to it', () => {
    const openshift = render(['ci/openshift-values.yaml']);
    const service = byKind(openshift, 'Service')[0]!;
    const servicePorts = (service.spec as { ports: Array<{ name: string }> }).ports.map((p) => p.name);
    const routes = byKind(openshift, 'Route').map((r) => r.spec as { host: string; path: string; port: { targetPort: string }; tls: { termination: string } });
    expect(routes.map((r) => r.path).sort()).toEqual(['/', '/slack/events']);
    for (const route of routes) {
      expect(route.host).toBe('sitroom.apps.example.openshiftapps.com');
      expect(servicePorts).toContain(route.port.targetPort);
      expect(route.tls.termination).toBe('edge');
    }
    const slack = deployment(openshift, 'slack').containers[0]!;
    expect(slack.env?.find((e) => e.name === 'SITROOM_PUBLIC_URL')?.value).toBe('https://sitroom.apps.example.openshiftapps.com');
    // The Service sends traffic to the pod's IP: a process on loopback only would never see it.
    expect(slack.env?.find((e) => e.name === 'SITROOM_BIND_HOST')?.value).toBe('0.0.0.0');

    const ingress = byKind(render(['ci/ingress-values.yaml']), 'Ingress')[0]!;
    const spec = ingress.spec as { tls: Array<{ secretName: string }>; rules: Array<{ host: string; http: { paths: Array<{ path: string; backend: { service: { port: { name: string } } } }> } }> };
    expect(spec.tls[0]!.secretName).toBe('sitroom-tls');
    expect(spec.rules[0]!.http.paths.map((p) => [p.path, p.backend.service.port.name])).toEqual([
      ['/slack/events', 'slack-events'],
      ['/', 'http'],
    ]);
  });

  it("sets only variables of the product's environment schema, plus the ones listed here as not yet read", () => {
    // src/config/environment.ts lists every variable the product reads; HOME is for the processes' tools.
    const notYetRead = new Set(['HOME']);
    const known = new Set<string>(variableNames);
    expect(known.has('TEMPORAL_ADDRESS')).toBe(true);
    for (const set of valueSets) {
      const manifests = render(set.files, ['--set', 'temporal.tls.serverName=frontend.temporal', '--set', 'env.ANTHROPIC_MODEL=claude']);
      const names = new Set<string>(Object.keys(byKind(manifests, 'ConfigMap')[0]!.data ?? {}));
      for (const component of ['worker', 'slack'] as const) for (const name of envNames(deployment(manifests, component).containers[0]!)) names.add(name);
      const unknown = [...names].filter((n) => !known.has(n) && !notYetRead.has(n));
      expect(unknown, `${set.name}: variables the product does not read and not listed here`).toEqual([]);
    }
  });
});

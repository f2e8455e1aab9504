// Writes test/fixtures/flakes/replay.json: a labelled replay set of CI test failures for the flake
// benchmark (bench/suites/flakes.ts). `npx tsx scripts/generate-flake-replay.ts` regenerates it
// byte for byte (fixed seed).
//
// The set is SYNTHETIC. How the labels are made: each failure is drawn from a known cause, and the label
// is that cause, not anyone's opinion after the fact.
// - A population of HyperShift-like e2e tests gets a latent intermittent-failure probability from one of
//   four groups (stable ~0.3–1.5%, mildly flaky 3–12%, flaky 15–35%, very flaky 35–55%) and a job that is
//   required or optional. Sippy's counts for the release are sampled from that probability over 40–400
//   runs (a flaky failure passes on retry 60% of the time, which Sippy counts as a flake).
// - A failure is a REGRESSION (label "regression") when drawn from an injected breaking change: the test
//   then fails on every attempt of that SHA, except for the 15% of regressions that are themselves
//   intermittent (a race introduced by the change), which pass on a retry of the same SHA half the time.
//   Otherwise it is a FLAKE (label "flake") from the test's latent probability; an earlier attempt of the
//   same SHA passed for 45% of flakes (another job or an earlier retry).
// - Regressions are drawn 30% of the time from any test, whatever its group (flaky tests also break);
//   flakes are drawn from the tests in proportion to their latent probability.
// - Retests already on the HEAD (0: 50%, 1: 30%, 2: 15%, 3: 5%, Retester's and ours; at least 1 when the
//   same SHA passed on retry) and whether Retester already retested the
//   base+HEAD are drawn independently of the label.
// - Situation Room's own history for the test (what today's policy sees) holds 0–3 runs it watched,
//   with the failing signature seen before and a pass on that same commit when the failure passed on
//   retry there.
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderJUnit } from '../src/integrations/ci/junit.js';

export interface ReplayRun {
  runId: string;
  commit: string;
  attempt: number;
  outcome: 'pass' | 'fail';
  message?: string;
  at: string;
}

export interface ReplayCase {
  id: string;
  label: 'flake' | 'regression';
  job: string;
  requiredJob: boolean;
  commit: string;
  attempt: number;
  /** The failing testcase as Prow publishes it (junit_e2e*.xml). */
  junit: string;
  sippy: { runs: number; failures: number; flakes: number };
  passedOnRetrySameSha: boolean;
  retests: { onHead: number; retesterOnBaseHead: boolean };
  /** Runs of this test Situation Room watched itself before this failure (today's only history). */
  watchedRuns: ReplayRun[];
  at: string;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const testNames = [
  'TestCreateCluster',
  'TestCreateClusterCustomConfig',
  'TestCreateClusterPrivate',
  'TestCreateClusterProxy',
  'TestNodePool/HostedCluster0/Main/TestNodePoolAutoRepair',
  'TestNodePool/HostedCluster0/Main/TestNodePoolDay2Tags',
  'TestNodePool/HostedCluster0/Main/TestNodePoolReplaceUpgrade',
  'TestNodePool/HostedCluster0/Main/TestNodePoolInPlaceUpgrade',
  'TestNodePool/HostedCluster0/Main/TestNodepoolMachineconfigGetsRolledout',
  'TestNodePool/HostedCluster0/Main/TestNTOMachineConfigGetsRolledOut',
  'TestNodePool/HostedCluster0/Main/TestKMSRootVolumeEncryption',
  'TestNodePool/HostedCluster0/Main/TestNodePoolPrevReleaseN1',
  'TestAutoscaling',
  'TestUpgradeControlPlane',
  'TestHAEtcdChaos',
  'TestKarpenter',
  'TestAzureScheduler',
  'TestCreateClusterV2/Main/EnsureHostedCluster/EnsureAllContainersHavePullPolicyIfNotPresent',
  'TestCreateClusterV2/Main/EnsureHostedCluster/EnsureNoCrashingPods',
  'TestCreateClusterV2/Main/EnsureHostedCluster/EnsureAPIBudget',
  'TestCreateClusterV2/Main/EnsureHostedCluster/EnsureNetworkPolicies',
  'TestOLMCatalogPlacement',
  'TestHostedClusterPayloadArch',
  'TestCreateClusterRequestServingIsolation',
  'TestNodePool/HostedCluster0/Main/TestMirrorConfigs',
  'TestNodePool/HostedCluster0/Main/TestAdditionalTrustBundlePropagation',
  'TestMetrics/ValidateMetricsAreExposed',
  'TestExternalOIDC',
  'TestCreateClusterKubeVirt',
  'TestNodePool/HostedCluster2/Main/TestNodePoolMultiArch',
];
const jobs: Array<{ name: string; required: boolean }> = [
  { name: 'pull-ci-openshift-hypershift-main-e2e-aws', required: true },
  { name: 'pull-ci-openshift-hypershift-main-e2e-aks', required: true },
  { name: 'pull-ci-openshift-hypershift-main-e2e-kubevirt-aws-ovn', required: false },
  { name: 'pull-ci-openshift-hypershift-main-e2e-aws-upgrade-hypershift-operator', required: false },
];
const flakeMessages = [
  'util.go:{n}: timed out waiting for NodePool {pool} to have {n} available nodes: context deadline exceeded',
  'eventually.go:{n}: failed waiting for HostedCluster {hc} conditions: Available=False: waiting for kube-apiserver rollout',
  'Get "https://api.{hc}.ci.hypershift.devcluster.openshift.com:443/healthz": dial tcp {ip}: connect: connection refused',
  'machine {pool}-{pod} failed: InstanceLaunchFailure: We currently do not have sufficient capacity in the Availability Zone',
  'etcd-{n} pod restarted {n} times: Back-off restarting failed container etcd',
  'error: rate limit exceeded for ec2:DescribeInstances, retry after {n}ms',
];
const regressionMessages = [
  'nodepool_test.go:{n}: expected NodePool condition AutorepairEnabled to be True, got False: MachineHealthCheck not created',
  'util.go:{n}: container {pool}-{pod}/hosted-cluster-config-operator has no pullPolicy: IfNotPresent expected',
  'panic: runtime error: invalid memory address or nil pointer dereference [recovered] in nodepool_controller.go:{n}',
  'expected status.version.history[0].state Completed, got Partial: ClusterVersion failing: MachineConfigPool worker degraded',
  'network policy {pool}-{pod} missing: expected ingress from openshift-monitoring to be allowed',
];

export function generateReplay(seed = 20261130, count = 240): ReplayCase[] {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const weighted = <T>(xs: readonly T[], weight: (x: T) => number): T => {
    let r = rnd() * xs.reduce((sum, x) => sum + weight(x), 0);
    return xs.find((x) => (r -= weight(x)) < 0) ?? xs[xs.length - 1]!;
  };
  const between = (lo: number, hi: number) => lo + rnd() * (hi - lo);
  const int = (lo: number, hi: number) => Math.floor(between(lo, hi + 1));
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(rnd() * 16).toString(16)).join('');
  const fill = (template: string) =>
    template
      .replace(/\{n\}/g, () => String(int(1, 900)))
      .replace(/\{pool\}/g, () => `example-${hex(4)}`)
      .replace(/\{hc\}/g, () => `e2e-${hex(6)}`)
      .replace(/\{pod\}/g, () => hex(5).replace(/^./, 'x1'.charAt(int(0, 1))))
      .replace(/\{ip\}/g, () => `10.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}:6443`);

  const groups = [
    { weight: 0.45, lo: 0.003, hi: 0.015 },
    { weight: 0.25, lo: 0.03, hi: 0.12 },
    { weight: 0.2, lo: 0.15, hi: 0.35 },
    { weight: 0.1, lo: 0.35, hi: 0.55 },
  ];
  const population = testNames.map((name) => {
    let r = rnd();
    const group = groups.find((g) => (r -= g.weight) < 0) ?? groups[0]!;
    const failP = between(group.lo, group.hi);
    const job = pick(jobs);
    const runs = int(40, 400);
    let failures = 0;
    let flakes = 0;
    for (let i = 0; i < runs; i++) {
      if (rnd() >= failP) continue;
      if (rnd() < 0.6) flakes++;
      else failures++;
    }
    return { name, failP, job, runs, failures, flakes, flakeMessage: fill(pick(flakeMessages)) };
  });

  const start = Date.parse('2026-10-01T00:00:00Z');
  const cases: ReplayCase[] = [];
  for (let i = 0; i < count; i++) {
    const regression = rnd() < 0.3;
    // A breaking change can hit any test; an intermittent failure comes from a test in proportion to how
    // often it fails intermittently.
    const t = regression ? pick(population) : weighted(population, (p) => p.failP);
    const intermittentRegression = regression && rnd() < 0.15;
    const passedOnRetrySameSha = regression ? intermittentRegression && rnd() < 0.5 : rnd() < 0.45;
    const message = regression ? fill(pick(regressionMessages)) : t.flakeMessage.replace(/\d+/g, () => String(int(1, 900)));
    const commit = hex(40);
    const at = start + i * 3 * 3_600_000;
    const watchedRuns: ReplayRun[] = [];
    const watched = int(0, 3);
    for (let w = 0; w < watched; w++) {
      const past = new Date(at - (watched - w) * 86_400_000).toISOString();
      const c = hex(40);
      const failed = rnd() < t.failP * 3;
      watchedRuns.push({
        runId: `${1_700_000_000 + i * 10 + w}`,
        commit: c,
        attempt: 1,
        outcome: failed ? 'fail' : 'pass',
        ...(failed ? { message: t.flakeMessage } : {}),
        at: past,
      });
      if (failed && rnd() < 0.6) watchedRuns.push({ runId: `${1_700_000_000 + i * 10 + w}`, commit: c, attempt: 2, outcome: 'pass', at: past });
    }
    if (passedOnRetrySameSha) {
      // The earlier attempt on this very commit: failed the same way, then passed on retry.
      const earlier = new Date(at - 3_600_000).toISOString();
      watchedRuns.push({ runId: `${1_800_000_000 + i}`, commit, attempt: 1, outcome: 'fail', message, at: earlier });
      watchedRuns.push({ runId: `${1_800_000_000 + i}`, commit, attempt: 2, outcome: 'pass', at: earlier });
    }
    const short = t.name.split('/').pop()!;
    const r = rnd();
    const onHead = r < 0.5 ? 0 : r < 0.8 ? 1 : r < 0.95 ? 2 : 3;
    const retests = { onHead: passedOnRetrySameSha ? Math.max(1, onHead) : onHead, retesterOnBaseHead: rnd() < 0.3 };
    cases.push({
      id: `case-${String(i + 1).padStart(3, '0')}`,
      label: regression ? 'regression' : 'flake',
      job: t.job.name,
      requiredJob: t.job.required,
      commit,
      // Every retest already on the HEAD is an attempt before this one.
      attempt: retests.onHead + 1,
      junit: renderJUnit([
        {
          name: 'hypershift-e2e',
          cases: [
            {
              suite: 'hypershift-e2e',
              name: t.name,
              classname: `github.com/openshift/hypershift/test/e2e.${short}`,
              timeSeconds: between(30, 2400),
              status: 'failed',
              message: `${message}\n    --- FAIL: ${t.name} (${between(30, 2400).toFixed(2)}s)`,
            },
          ],
        },
      ]),
      sippy: { runs: t.runs, failures: t.failures, flakes: t.flakes },
      passedOnRetrySameSha,
      retests,
      watchedRuns,
      at: new Date(at).toISOString(),
    });
  }
  return cases;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures', 'flakes', 'replay.json');
  mkdirSync(dirname(out), { recursive: true });
  const cases = generateReplay();
  writeFileSync(out, JSON.stringify({ synthetic: true, seed: 20261130, generator: 'scripts/generate-flake-replay.ts', cases }, null, 1) + '\n');
  console.log(`wrote ${cases.length} cases (${cases.filter((c) => c.label === 'regression').length} regressions) to ${out}`);
}

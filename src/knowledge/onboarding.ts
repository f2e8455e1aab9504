// Onboarding mode. Pure. A developer whose role file sets new_developer_guidance gets, before any task, an
// orientation walk through the domain model (split-brain architecture, one-way communication, the
// NodePool → CAPI → provider → node chain), then a real starter task chosen from open work items by
// stated criteria, each with the reason it passed or failed. Explanations shorten as personal memory
// records that a concept has been explained before.
import type { RoleFile } from '../config/schema.js';
import type { Applicability } from './patterns.js';
import { matchesGlob, matchItem } from './relevance.js';
import type { PersonalMemory } from './personal-memory.js';

export type Depth = 'full' | 'short' | 'reference';

/**
 * How much to explain: a beginner gets the full text until a concept was explained twice, the short form
 * until five times, then only the reference; an intermediate engineer starts at short; an expert gets
 * references only.
 */
export function explanationDepth(level: PersonalMemory['explanationLevel'], timesExplained: number): Depth {
  if (level === 'expert') return 'reference';
  if (level === 'intermediate') return timesExplained < 2 ? 'short' : 'reference';
  return timesExplained < 2 ? 'full' : timesExplained < 5 ? 'short' : 'reference';
}

export interface OrientationStop {
  concept: string;
  title: string;
  full: string;
  short: string;
  /** "path[:line][#Symbol]" in the target repository, resolvable by the domain model verifier. */
  refs: string[];
}

/**
 * The orientation as the domain model describes it (abstraction map + propagation flow). The default is
 * written from the pinned HyperShift facts; when the domain model engine exposes these stops the caller
 * passes its version instead.
 */
export const defaultOrientation: OrientationStop[] = [
  {
    concept: 'split-brain',
    title: 'Two clusters: management and data plane',
    full:
      'A hosted cluster is split in two. Its control plane runs as pods in a namespace of the management cluster, driven by the HyperShift operator ' +
      '(hypershift-operator/) and the control-plane operator (control-plane-operator/). Its worker nodes, the data plane, run elsewhere: cloud instances or VMs ' +
      'created through Cluster API. The NodePool is the API object the team owns for that data plane.',
    short: 'Control plane lives as pods on the management cluster; workers (the data plane) are machines created through Cluster API for each NodePool.',
    refs: ['hypershift-operator/main.go', 'control-plane-operator/main.go', 'api/hypershift/v1beta1/nodepool_types.go:87#NodePool'],
  },
  {
    concept: 'one-way-communication',
    title: 'Communication flows one way',
    full:
      'Controllers that act on the data plane run on the management side and reach into the hosted cluster: the hosted cluster config operator ' +
      '(control-plane-operator/hostedclusterconfigoperator) reconciles nodes and handles drains for in-place upgrades. Workers never talk to the management ' +
      "cluster's own API or to the HyperShift operator: kubelets talk to the hosted cluster's API server, and a booting node only fetches its ignition payload. " +
      'So when you design a change, the state and the decision belong to the management side; nothing on the workers may need to reach the management cluster.',
    short:
      'Management-side controllers reach into the data plane; workers talk only to their hosted API server and ignition endpoint, never to the management cluster.',
    refs: [
      'control-plane-operator/hostedclusterconfigoperator/controllers/node/node.go',
      'control-plane-operator/hostedclusterconfigoperator/controllers/drainer/drainer.go:74#handleNodeDrainRequest',
      'ignition-server/controllers/tokensecret_controller.go',
    ],
  },
  {
    concept: 'nodepool-capi-chain',
    title: 'NodePool → Cluster API → provider → node',
    full:
      'NodePoolReconciler.reconcile runs a chain of condition functions, builds the token and user-data Secrets, then CAPI.Reconcile applies the platform machine template ' +
      '(CAPI.machineTemplateBuilders picks AWSMachineTemplate, AzureMachineTemplate, ...) and a MachineDeployment (upgradeType Replace) or MachineSet (InPlace). ' +
      'Cluster API creates Machines, the provider controller creates instances, the instance boots with ignition and becomes a Node. Status travels back the same way: ' +
      'provider machine status → Machine conditions → MachineDeployment/MachineSet → NodePool conditions, and detail is lost at each hop.',
    short:
      'reconcile → CAPI.Reconcile → machine template + MachineDeployment/MachineSet → Machines → instances → Nodes; status flows back to NodePool conditions.',
    refs: [
      'hypershift-operator/controllers/nodepool/nodepool_controller.go:272#NodePoolReconciler.reconcile',
      'hypershift-operator/controllers/nodepool/capi.go:89#CAPI.Reconcile',
      'hypershift-operator/controllers/nodepool/capi.go:838#CAPI.machineTemplateBuilders',
      'hypershift-operator/controllers/nodepool/conditions.go:634#setMachineAndNodeConditions',
    ],
  },
];

export interface OrientationWalk {
  stops: Array<{ concept: string; title: string; depth: Depth; text: string; refs: string[] }>;
  /** Concepts explained in this walk, to record in personal memory. */
  explained: string[];
}

export function orientationWalk(
  memory: Pick<PersonalMemory, 'explanationLevel' | 'conceptExposure'>,
  stops: readonly OrientationStop[] = defaultOrientation,
): OrientationWalk {
  const out = stops.map((s) => {
    const depth = explanationDepth(memory.explanationLevel, memory.conceptExposure[s.concept] ?? 0);
    const text = depth === 'full' ? s.full : depth === 'short' ? s.short : `See ${s.refs[0] ?? s.title}.`;
    return { concept: s.concept, title: s.title, depth, text, refs: s.refs };
  });
  return { stops: out, explained: out.filter((s) => s.depth !== 'reference').map((s) => s.concept) };
}

export type FirstMessage = { kind: 'orientation'; text: string; walk: OrientationWalk } | { kind: 'briefing' };

/** The first DM of the day: the orientation for a guided developer who has not finished it, otherwise the normal briefing. */
export function firstMessageFor(
  role: Pick<RoleFile, 'display_name' | 'new_developer_guidance'>,
  memory: Pick<PersonalMemory, 'explanationLevel' | 'conceptExposure' | 'orientationCompletedAt'>,
): FirstMessage {
  if (!role.new_developer_guidance || memory.orientationCompletedAt) return { kind: 'briefing' };
  const walk = orientationWalk(memory);
  const firstName = role.display_name.split(' ')[0] ?? role.display_name;
  const lines = [`Welcome, ${firstName}. Before any task, a short walk through how the data plane fits together:`];
  walk.stops.forEach((s, i) => {
    lines.push('', `*${i + 1}. ${s.title}*`, s.text, `_Code:_ ${s.refs.map((r) => `\`${r}\``).join(', ')}`);
  });
  lines.push('', 'When you are done, I will offer a starter task picked by clear criteria.');
  return { kind: 'orientation', text: lines.join('\n'), walk };
}

// ------------------------------------------------------------------ starter task

export interface StarterCandidate {
  key: string;
  title: string;
  status: string; // only "open" (not yet owned) items are offered
  files: string[];
  validation: Array<{ command: string; why: string }>;
}

export const starterCriteria = ['touches-nodepool-controller', 'status-only', 'follows-pattern', 'clear-validation'] as const;
export type StarterCriterion = (typeof starterCriteria)[number];

export const criterionLabels: Record<StarterCriterion, string> = {
  'touches-nodepool-controller': 'touches the NodePool controller',
  'status-only': 'changes status/conditions only',
  'follows-pattern': 'follows an existing curated pattern',
  'clear-validation': 'has a clear validation step',
};

const nodepoolController = 'hypershift-operator/controllers/nodepool/**';
/** Files whose change only affects what is reported, not what is created: conditions, their constants, tests, docs. */
const statusOnlyFiles = ['hypershift-operator/controllers/nodepool/conditions.go', 'api/hypershift/v1beta1/nodepool_conditions.go', '**/*_test.go', 'docs/**'];
const testCommand = /\b(go test|make test|make verify)\b/;

export interface CriterionResult {
  ok: boolean;
  why: string;
}

export interface StarterEvaluation {
  candidate: StarterCandidate;
  results: Record<StarterCriterion, CriterionResult>;
  met: number;
}

export function evaluateStarter(candidate: StarterCandidate, patterns: ReadonlyArray<{ id: string; applicability: Applicability }>): StarterEvaluation {
  const controllerFiles = candidate.files.filter((f) => matchesGlob(f, nodepoolController));
  const nonStatus = candidate.files.filter((f) => !statusOnlyFiles.some((g) => matchesGlob(f, g)));
  const pattern = patterns.find((p) =>
    matchItem({ tier: 1, id: p.id, title: '', body: '', applicability: p.applicability, topics: [], source: '' }, { files: candidate.files }),
  );
  const testStep = candidate.validation.find((v) => testCommand.test(v.command));
  const results: Record<StarterCriterion, CriterionResult> = {
    'touches-nodepool-controller':
      controllerFiles.length > 0
        ? { ok: true, why: `changes ${controllerFiles.join(', ')}` }
        : { ok: false, why: 'no file under hypershift-operator/controllers/nodepool/' },
    'status-only':
      candidate.files.length > 0 && nonStatus.length === 0
        ? { ok: true, why: 'only condition/status code, tests or docs' }
        : { ok: false, why: candidate.files.length === 0 ? 'no files listed yet' : `also changes ${nonStatus.join(', ')}` },
    'follows-pattern': pattern ? { ok: true, why: `pattern "${pattern.id}" applies` } : { ok: false, why: 'no approved pattern covers these files' },
    'clear-validation': testStep
      ? { ok: true, why: `validated by \`${testStep.command}\` (${testStep.why})` }
      : { ok: false, why: 'no test or verify step in its validation' },
  };
  return { candidate, results, met: starterCriteria.filter((c) => results[c].ok).length };
}

export interface StarterChoice {
  chosen?: StarterEvaluation;
  /** Every open candidate with its results, best first, so the choice can be explained and argued with. */
  evaluated: StarterEvaluation[];
}

/** Only a candidate meeting every criterion is offered; among those, the smallest change wins. */
export function chooseStarterTask(
  candidates: readonly StarterCandidate[],
  patterns: ReadonlyArray<{ id: string; applicability: Applicability }>,
): StarterChoice {
  const evaluated = candidates
    .filter((c) => c.status === 'open')
    .map((c) => evaluateStarter(c, patterns))
    .sort((a, b) => b.met - a.met || a.candidate.files.length - b.candidate.files.length || a.candidate.key.localeCompare(b.candidate.key));
  const chosen = evaluated.find((e) => e.met === starterCriteria.length);
  return chosen ? { chosen, evaluated } : { evaluated };
}

export function renderStarterOffer(choice: StarterChoice): string {
  if (!choice.chosen) {
    const best = choice.evaluated[0];
    return best
      ? `No open work item meets all four starter criteria yet. Closest: ${best.candidate.key} (${best.candidate.title}), which ${starterCriteria
          .filter((c) => !best.results[c].ok)
          .map((c) => `fails "${criterionLabels[c]}": ${best.results[c].why}`)
          .join('; ')}.`
      : 'No open work items to choose a starter task from.';
  }
  const c = choice.chosen;
  return [`Starter task: *${c.candidate.key}* ${c.candidate.title}`, ...starterCriteria.map((k) => `• ${criterionLabels[k]}: ${c.results[k].why}`)].join('\n');
}

// ------------------------------------------------------------------ candidates from the store

/** Work item statuses whose work has not started: the plan may still change hands, so they can be offered. */
export const starterStatuses = ['planning', 'awaiting-plan-approval'] as const;

export interface WorkItemForStarter {
  key: string;
  title: string;
  status: string;
  /** work_items.plan: the latest validated plan JSON, or null before RH-A drafted one. */
  plan: unknown;
}

/**
 * One candidate per work item: every file its plan touches and every validation step of its phases. Items
 * past planning (executing, resolved, …) become "taken" so chooseStarterTask skips them; an item without a
 * plan yet has no files, which the status-only criterion reports.
 */
export function starterCandidatesFrom(items: readonly WorkItemForStarter[]): StarterCandidate[] {
  return items.map((item) => {
    const phases = planPhases(item.plan);
    const files = [...new Set(phases.flatMap((p) => p.files))];
    const seen = new Set<string>();
    const validation = phases.flatMap((p) => p.validation).filter((v) => (seen.has(v.command) ? false : (seen.add(v.command), true)));
    return { key: item.key, title: item.title, status: (starterStatuses as readonly string[]).includes(item.status) ? 'open' : 'taken', files, validation };
  });
}

/** The parts of a stored plan this needs, read defensively: the column is JSON written by older releases too. */
function planPhases(plan: unknown): Array<{ files: string[]; validation: Array<{ command: string; why: string }> }> {
  const phases = (plan as { phases?: unknown } | null)?.phases;
  if (!Array.isArray(phases)) return [];
  return phases.map((p: { files?: unknown; validation?: unknown }) => ({
    files: Array.isArray(p.files) ? p.files.filter((f): f is string => typeof f === 'string') : [],
    validation: Array.isArray(p.validation)
      ? p.validation
          .filter((v: { command?: unknown; why?: unknown }): v is { command: string; why: string } => typeof v?.command === 'string')
          .map((v) => ({ command: v.command, why: typeof v.why === 'string' ? v.why : '' }))
      : [],
  }));
}

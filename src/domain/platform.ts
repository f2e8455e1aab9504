// Platform questions: what a new platform must implement, and how an existing one differs.
import { UserError } from '../contracts/failures.js';
import { normaliseName } from './parse.js';
import type { DomainModel, Platform } from './schema.js';

export interface ChecklistItem {
  id: string;
  step: string;
  refs: string[];
  component: string;
  /** where the item comes from: the explicit steps, a matrix column, or a lifecycle platform variation */
  source: 'steps' | 'matrix' | 'lifecycle';
}

export interface NewPlatformChecklist {
  items: ChecklistItem[];
}

const MATRIX_COLUMNS: { key: keyof Platform; question: string }[] = [
  { key: 'scalingPrimitive', question: 'Which scaling primitive backs the NodePool (MachineDeployment/MachineSet, autoscaler, scale from zero)?' },
  { key: 'quotaErrorSource', question: 'Where do quota and capacity errors appear, and do they reach the Machine InfrastructureReady condition?' },
  { key: 'imageReference', question: 'How is the boot image referenced or imported for a release?' },
  { key: 'networkModel', question: 'What is the network model, and can nodes reach the published API and ignition endpoints?' },
  { key: 'typicalBootMinutes', question: 'What is the typical boot time (sets e2e and drain timeouts expectations)?' },
  { key: 'featureGates', question: 'Which feature gate guards the platform while it matures?' },
  { key: 'e2eSuites', question: 'Which e2e suites run on it?' },
];

/** The checklist for adding a platform, derived from the matrix columns and the lifecycle variations. */
export function newPlatformChecklist(model: DomainModel): NewPlatformChecklist {
  const items: ChecklistItem[] = model.matrix.newPlatformSteps.map((s) => ({
    id: s.id,
    step: s.step,
    refs: [...s.refs],
    component: s.component,
    source: 'steps',
  }));
  const example = model.matrix.platforms.find((p) => p.id === 'GCP') ?? model.matrix.platforms[0];
  for (const col of MATRIX_COLUMNS) {
    items.push({
      id: `matrix-${String(col.key)}`,
      step: `${col.question} (fill platform-matrix.yaml: ${String(col.key)})`,
      refs: example ? [example.constRef] : [],
      component: 'nodepool-controller',
      source: 'matrix',
    });
  }
  const seen = new Set<string>();
  for (const pv of model.lifecycle.platformVariations) {
    const key = `${pv.state}/${pv.substates.join(',')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    items.push({
      id: `lifecycle-${normaliseName(pv.state)}-${pv.substates.map(normaliseName).join('-') || 'state'}`,
      step: `Decide whether ${pv.state}${pv.substates.length ? ` / ${pv.substates.join(', ')}` : ''} differs, as it does on ${pv.platform.join(', ')}: ${pv.behaviour}`,
      refs: [...pv.code],
      component: 'nodepool-controller',
      source: 'lifecycle',
    });
  }
  return { items };
}

export interface PlatformReport {
  platform: Platform;
  variations: { state: string; substates: string[]; behaviour: string; code: string[]; conditions: string[] }[];
  failureModes: { id: string; state: string; substate?: string; symptom: string; condition: string; reason?: string }[];
  suites: { id: string; typicalMinutes: number; estimate: boolean }[];
  /** sub-states that behave as in the generic lifecycle */
  unchanged: string[];
}

export function findPlatform(model: DomainModel, name: string): Platform {
  const key = normaliseName(name);
  const p = model.matrix.platforms.find((x) => normaliseName(x.id) === key);
  if (!p) throw new UserError(`unknown platform "${name}"; known: ${model.matrix.platforms.map((x) => x.id).join(', ')}`, { field: 'platform' });
  return p;
}

/** Which sub-states behave differently on a platform, its failure modes and e2e suites. */
export function platformVariations(model: DomainModel, name: string): PlatformReport {
  const platform = findPlatform(model, name);
  const variations = model.lifecycle.platformVariations
    .filter((v) => v.platform.includes(platform.id))
    .map((v) => ({ state: v.state, substates: [...v.substates], behaviour: v.behaviour, code: [...v.code], conditions: [...v.conditions] }));
  const differing = new Set(variations.flatMap((v) => v.substates.map((s) => `${v.state}.${s}`)));
  const unchanged = model.lifecycle.states.flatMap((s) => s.substates.map((u) => `${s.id}.${u.id}`)).filter((k) => !differing.has(k));
  const failureModes = model.lifecycle.failureModes
    .filter((f) => f.platforms.includes(platform.id))
    .map((f) => {
      const out: PlatformReport['failureModes'][number] = { id: f.id, state: f.state, symptom: f.symptom, condition: f.surfacedAs.condition };
      if (f.substate) out.substate = f.substate;
      if (f.surfacedAs.reason) out.reason = f.surfacedAs.reason;
      return out;
    });
  const suites = model.matrix.e2eSuites
    .filter((s) => platform.e2eSuites.includes(s.id))
    .map((s) => ({ id: s.id, typicalMinutes: s.typicalMinutes, estimate: s.estimate }));
  return { platform, variations, failureModes, suites, unchanged };
}

export function renderPlatform(r: PlatformReport): string {
  const p = r.platform;
  const out = [
    `${p.id}${p.featureGates.length ? ` (feature gate: ${p.featureGates.join(', ')})` : ''}`,
    `  machine template: ${p.machineTemplate ? `${p.machineTemplate.kind} built by ${p.machineTemplate.builder}` : 'none (no CAPI machines)'}`,
    `  scaling: ${p.scalingPrimitive}`,
    `  quota errors: ${p.quotaErrorSource}`,
    `  boot: ~${p.typicalBootMinutes.value} min${p.typicalBootMinutes.estimate ? ' (estimate)' : ''}; image: ${p.imageReference}`,
    `  network: ${p.networkModel}`,
    'sub-states that differ:',
    ...(r.variations.length
      ? r.variations.map((v) => `  ${v.state}${v.substates.length ? ` / ${v.substates.join(', ')}` : ''}: ${v.behaviour}`)
      : ['  none: follows the generic lifecycle']),
  ];
  if (r.failureModes.length)
    out.push('platform failure modes:', ...r.failureModes.map((f) => `  ${f.id}: ${f.symptom} -> ${f.condition}${f.reason ? `/${f.reason}` : ''}`));
  if (r.suites.length) out.push(`e2e: ${r.suites.map((s) => `${s.id} ~${s.typicalMinutes} min`).join(', ')}`);
  return out.join('\n');
}

export function renderChecklist(c: NewPlatformChecklist): string {
  return c.items.map((i, n) => `${String(n + 1).padStart(2)}. [${i.source}] ${i.step}${i.refs.length ? `\n      see: ${i.refs.join(', ')}` : ''}`).join('\n');
}

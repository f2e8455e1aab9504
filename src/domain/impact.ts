// Impact of a change: which components, lifecycle states and invariants it touches, which platforms it can
// break (generic vs platform-specific files), which e2e suites cover it and who must review it.
import { matchAny, matchGlob } from './glob.js';
import { suggestReviewers, type OwnersIndex, type ReviewerSuggestion } from './owners.js';
import { parseRef, type DomainModel, type Platform } from './schema.js';

export interface FileImpact {
  file: string;
  components: string[];
  /** platforms this file is specific to; empty for generic files */
  platformSpecific: string[];
  /** platforms a change to this file can affect */
  platforms: string[];
}

export interface StateImpact {
  state: string;
  substates: string[];
  because: string[];
}

export interface InvariantImpact {
  id: string;
  statement: string;
  because: string[];
}

export interface SuiteImpact {
  id: string;
  ref: string;
  typicalMinutes: number;
  estimate: boolean;
  platforms: string[];
}

/** A machine template whose name (a hash of its spec) a change can alter: every NodePool of the platform rolls. */
export interface TemplateRolloutImpact {
  platform: string;
  builder: string;
  /** the changed file that builds or names the template */
  file: string;
  consequence: string;
  code: string[];
}

export interface ImpactResult {
  files: FileImpact[];
  /** platforms whose every NodePool rolls out if the change alters what the template builder returns */
  rollouts: TemplateRolloutImpact[];
  components: { id: string; name: string; files: string[] }[];
  states: StateImpact[];
  invariants: InvariantImpact[];
  platforms: { scope: 'none' | 'platform-specific' | 'generic'; affected: string[]; specific: string[] };
  boundaryRules: string[];
  e2e: { suites: SuiteImpact[]; wallMinutes: number; serialMinutes: number };
  reviewers: ReviewerSuggestion | null;
}

function platformsOfFile(platforms: readonly Platform[], file: string): string[] {
  const base = file.split('/').pop()?.toLowerCase() ?? '';
  return (
    platforms
      // a platform's own globs, or (like the OWNERS platform filters) its name as a token of a Go file name
      .filter(
        (p) =>
          matchAny(p.files, file) || (p.machineTemplate !== null && base.endsWith('.go') && new RegExp(`(^|[_.-])${p.id.toLowerCase()}([_.-]|$)`).test(base)),
      )
      .map((p) => p.id)
  );
}

function codePathsTouch(refs: readonly string[], file: string): string | null {
  for (const r of refs) {
    const p = parseRef(r).path;
    if (p === file || (p.endsWith('/') && file.startsWith(p))) return r;
  }
  return null;
}

export function impactOf(model: DomainModel, files: readonly string[], opts: { owners?: OwnersIndex } = {}): ImpactResult {
  const all = model.matrix.platforms.map((p) => p.id);
  const automated = model.matrix.platforms.filter((p) => p.automatedMachineManagement).map((p) => p.id);
  const perFile: FileImpact[] = files.map((file) => {
    const comps = model.map.components.filter((c) => matchAny(c.paths, file));
    const specific = platformsOfFile(model.matrix.platforms, file);
    let platforms: string[];
    if (specific.length > 0) platforms = specific;
    else if (comps.length === 0) platforms = [];
    else if (comps.some((c) => c.blastRadius === 'all' || matchAny(c.allPlatformFiles, file))) platforms = all;
    else if (comps.some((c) => c.blastRadius === 'automated')) platforms = automated;
    else platforms = [];
    return { file, components: comps.map((c) => c.id), platformSpecific: specific, platforms };
  });

  const components = model.map.components
    .map((c) => ({ id: c.id, name: c.name, files: perFile.filter((f) => f.components.includes(c.id)).map((f) => f.file) }))
    .filter((c) => c.files.length > 0);

  const states: StateImpact[] = [];
  for (const st of model.lifecycle.states) {
    const because = new Set<string>();
    const subs = new Set<string>();
    for (const f of files) {
      const hit = codePathsTouch(st.code, f);
      if (hit) because.add(`${f} (${hit})`);
      for (const sub of st.substates) {
        const h = codePathsTouch(sub.code, f);
        if (h) {
          subs.add(sub.id);
          because.add(`${f} (${h})`);
        }
      }
      for (const s of st.strategies) {
        const h = codePathsTouch(s.code, f);
        if (h) because.add(`${f} (${h})`);
      }
    }
    for (const pv of model.lifecycle.platformVariations) {
      if (pv.state !== st.id) continue;
      for (const f of files) {
        const h = codePathsTouch(pv.code, f);
        if (h) {
          pv.substates.forEach((s) => subs.add(s));
          because.add(`${f} (${h})`);
        }
      }
    }
    if (because.size > 0) states.push({ state: st.id, substates: [...subs], because: [...because] });
  }

  const invariants: InvariantImpact[] = [];
  for (const inv of model.lifecycle.invariants) {
    const because = files.filter((f) => inv.recheckWhenTouching.some((g) => matchGlob(g, f)) || codePathsTouch(inv.enforcedBy, f) !== null);
    if (because.length > 0) invariants.push({ id: inv.id, statement: inv.statement, because });
  }

  const affected = all.filter((p) => perFile.some((f) => f.platforms.includes(p)));
  const specific = all.filter((p) => perFile.some((f) => f.platformSpecific.includes(p)));
  const generic = perFile.some((f) => f.platformSpecific.length === 0 && f.platforms.length > 0);
  const scope = affected.length === 0 ? 'none' : generic ? 'generic' : 'platform-specific';

  const boundaryRules = model.map.boundaryRules.filter((r) => files.some((f) => matchAny(r.paths, f) && !matchAny(r.allowedExceptions, f))).map((r) => r.id);

  const suites: SuiteImpact[] = model.matrix.e2eSuites
    .filter((s) => files.some((f) => matchAny(s.covers, f)) && s.platforms.some((p) => affected.includes(p)))
    .map((s) => ({ id: s.id, ref: s.ref, typicalMinutes: s.typicalMinutes, estimate: s.estimate, platforms: s.platforms.filter((p) => affected.includes(p)) }))
    .sort((a, b) => b.typicalMinutes - a.typicalMinutes);

  const rollouts: TemplateRolloutImpact[] = [];
  const naming = model.matrix.templateRollout;
  const namingFile = naming ? parseRef(naming.namedBy).path : undefined;
  for (const p of model.matrix.platforms) {
    if (!p.machineTemplate) continue;
    const builderFile = parseRef(p.machineTemplate.builder).path;
    const file = files.find((f) => f === builderFile) ?? files.find((f) => f === namingFile);
    if (!file) continue;
    const by =
      file === builderFile ? `${p.machineTemplate.builder} builds the ${p.machineTemplate.kind}` : `${naming!.namedBy} names every platform's template`;
    rollouts.push({
      platform: p.id,
      builder: p.machineTemplate.builder,
      file,
      consequence: `if the change alters the ${p.machineTemplate.kind} spec (${by}), every ${p.id} NodePool rolls out: ${naming?.statement ?? 'the template name is a hash of its spec'}`,
      code: [p.machineTemplate.builder, ...(naming?.code ?? [])],
    });
  }

  // a renamed template is a rollout: the sub-state that applies the new template must be re-checked too
  const rolloutState = model.lifecycle.states.find((st) =>
    st.substates.some((u) => u.conditions.includes('NodePoolUpdatingPlatformMachineTemplateConditionType')),
  );
  const rolloutSub = rolloutState?.substates.find((u) => u.conditions.includes('NodePoolUpdatingPlatformMachineTemplateConditionType'));
  if (rollouts.length && rolloutState && rolloutSub) {
    const entry = states.find((x) => x.state === rolloutState.id) ?? (states.push({ state: rolloutState.id, substates: [], because: [] }), states.at(-1)!);
    if (!entry.substates.includes(rolloutSub.id)) entry.substates.push(rolloutSub.id);
    for (const x of rollouts) entry.because.push(`${x.file} (${x.builder}: a new template name rolls every ${x.platform} NodePool)`);
  }

  return {
    files: perFile,
    rollouts,
    components,
    states,
    invariants,
    platforms: { scope, affected, specific },
    boundaryRules,
    e2e: {
      suites,
      // CI runs one job per suite and platform in parallel, so the wall time is the longest suite
      wallMinutes: suites.reduce((m, s) => Math.max(m, s.typicalMinutes), 0),
      serialMinutes: suites.reduce((m, s) => m + s.typicalMinutes * s.platforms.length, 0),
    },
    reviewers: opts.owners ? suggestReviewers(opts.owners, files) : null,
  };
}

export function renderImpact(r: ImpactResult): string {
  const out: string[] = [];
  out.push(
    `components: ${r.components.map((c) => `${c.name} (${c.files.length} file${c.files.length === 1 ? '' : 's'})`).join(', ') || 'none of the modelled components'}`,
  );
  out.push(`platforms: ${r.platforms.scope}${r.platforms.affected.length ? ` -> ${r.platforms.affected.join(', ')}` : ''}`);
  for (const f of r.files)
    out.push(
      `  ${f.file}: ${f.platformSpecific.length ? `specific to ${f.platformSpecific.join(', ')}` : f.platforms.length ? 'generic' : 'outside the data-plane model'}`,
    );
  if (r.rollouts.length) {
    out.push(
      `rollout: every NodePool of ${r.rollouts.map((x) => x.platform).join(', ')} rolls if the change alters its machine template spec (the template name is a hash of the spec):`,
    );
    for (const x of r.rollouts) out.push(`  ${x.platform}: ${x.file} -> ${x.builder}`);
  }
  if (r.states.length) {
    out.push('lifecycle states to re-check:');
    for (const s of r.states) out.push(`  ${s.state}${s.substates.length ? ` (${s.substates.join(', ')})` : ''}`);
  }
  if (r.invariants.length) {
    out.push('invariants to re-check:');
    for (const i of r.invariants) out.push(`  ${i.id}: ${i.statement}`);
  }
  if (r.boundaryRules.length) out.push(`boundary rules in force: ${r.boundaryRules.join(', ')}`);
  if (r.e2e.suites.length) {
    out.push(`e2e suites (about ${r.e2e.wallMinutes} min wall, ${r.e2e.serialMinutes} job-min, estimates):`);
    for (const s of r.e2e.suites) out.push(`  ${s.id} ~${s.typicalMinutes} min on ${s.platforms.join(', ')}  (${s.ref})`);
  }
  if (r.reviewers) {
    out.push(`approvers: ${r.reviewers.approvers.join(', ') || '(none)'}`);
    out.push(`reviewers: ${r.reviewers.reviewers.join(', ') || '(none)'}`);
    if (r.reviewers.labels.length) out.push(`labels: ${r.reviewers.labels.join(', ')}`);
  }
  return out.join('\n');
}

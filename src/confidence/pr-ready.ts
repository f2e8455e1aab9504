// "PR ready": when a phase's PR has green CI, RH-O tells its owner how much to trust it and who should
// review it. Confidence is recomputed from evidence every time (src/confidence/): the phase's evidence
// lines from RH-A, the CI watch state, the domain model's impact of the files, and the people recorded in
// the audit log (who approved the gate, who paired). Reviewers come from OWNERS, as developer ids when a
// role file names the GitHub login, otherwise as the GitHub handles themselves.
import type { ReviewInsightPort } from '../contracts/ports.js';
import type { TeamConfig } from '../config/schema.js';
import type { LoadedConfig } from '../config/load.js';
import type { CalibrationStore } from '../db/calibration.js';
import { calibrationTable } from './calibration.js';
import { assessConfidence, type ConfidenceAssessment, type EvidenceInput } from './model.js';
import { changedFiles, evidenceFromChange, type CuratedPattern, type PhaseChange } from './change-evidence.js';
import { levelCalibration } from './calibration.js';
import { renderConfidenceMarkdown } from './render.js';
import type { Database } from '../db/client.js';
import { savePhaseConfidence } from '../db/phases.js';
import { getWorkItem, phaseDecisions, phasesOf } from '../db/work-items.js';
import { impactOf, ownersForFile, suggestReviewers, type DomainModel, type ImpactResult, type OwnersIndex } from '../domain/index.js';
import type { NotificationPayload } from '../contracts/notifications.js';
import { redactSecrets } from '../observability/logger.js';
import { Plan } from '../plan/schema.js';
import type { CiWatchState } from '../contracts/ci.js';
import type { ConfigSource } from '../config/source.js';

export type PrReadyPayload = Extract<NotificationPayload, { kind: 'pr-ready' }>;
export type PrReadyArgs = Parameters<ReviewInsightPort['prReady']>[0];

export interface PrReadyDeps {
  db: Database;
  insight: { model: DomainModel; owners: OwnersIndex };
  config: Pick<ConfigSource, 'current'>;
  /** When given, each level's line says how often work merged at that grade needed a fix. */
  calibration?: Pick<CalibrationStore, 'records'>;
  /** The phase branch's real change (diff, API sources, CI coverage); without it only the plan's files count. */
  phaseChange?: (args: { workItemKey: string; phaseId: string; prUrl: string; branch?: string }) => Promise<PhaseChange | undefined>;
  /** The PR's description as it is now on the code host (reviewers tick the invariant checklist there). */
  pullRequestBody?: (prUrl: string) => Promise<string | undefined>;
  /** The curated patterns as they are now, for "follows a curated pattern" on any change. */
  patterns?: () => readonly CuratedPattern[];
  now?: () => Date;
}

/** People recorded in the audit log for the phase. */
export interface PhaseHumans {
  ownerId: string;
  /**
   * Who approved the PR in a GitHub review while an OWNERS approver of its files, other than the owner. A gate
   * approval (the approach, before the code) is not a review of the code and does not count.
   */
  approvedBy: string[];
  /** Who paired on it in a Slack thread, with the number of messages. */
  pairedWith: Array<{ developerId: string; messages: number }>;
  /** The planned activity: pairing is expected on core logic only. */
  activity?: string;
}

// ------------------------------------------------------------------ evidence

/*
 * How an evidence line from RH-A maps to a confidence check (lines come from src/activities/agent-port.ts and
 * src/agent/finish.ts; a line that matches nothing stays in the PR description but does not move a grade):
 *
 *   "passed: <cmd>" / "FAILED: <cmd>"    <cmd> is the team's codegen.api or codegen.verify, or make api|verify|generate
 *                                        → codegen-consistent; codegen.test, go test, make test → unit-tests;
 *                                        a command naming e2e or integration → adjacent-suites
 *   "check_diff: no boundary ..."        → boundary-check pass
 *   "N finding(s), B blocking: ..."      → boundary-check, fail when B > 0, else pass with N warnings
 *   "... (pattern <id>)"                 → pattern-match pass
 *   "CI green on <jobs>"                 → ci-green pass (the CI watch state, applied after, is authoritative)
 *
 * From the domain model's impact of the phase's files: platform-blast-radius (assessed: pass, or n/a when no
 * platform is affected), invariants-checked (n/a when none is touched, otherwise left missing: nothing in the
 * evidence shows them re-checked), api-compatible and version-skew (n/a when no file under api/ changes).
 * From the audit log: approved (a phase gate approved by someone other than the owner), paired (a pair
 * session on the phase; n/a for phases that are not core logic).
 */
export function evidenceFromLines(lines: readonly string[], team: Pick<TeamConfig, 'codegen'>, at: Date): EvidenceInput[] {
  const out: EvidenceInput[] = [];
  const codegen = new Set([team.codegen.api, team.codegen.verify]);
  for (const raw of lines) {
    const line = redactSecrets(raw.trim());
    const command = /^(passed|FAILED): (.+)$/.exec(line);
    if (command) {
      const [, outcome, cmd] = command as unknown as [string, string, string];
      const status = outcome === 'passed' ? 'pass' : 'fail';
      const check =
        codegen.has(cmd) || /\bmake (api|verify|generate)\b/.test(cmd)
          ? 'codegen-consistent'
          : cmd === team.codegen.test || /\b(go test|make test)\b/.test(cmd)
            ? 'unit-tests'
            : /\b(e2e|integration)\b/.test(cmd)
              ? 'adjacent-suites'
              : undefined;
      if (check)
        out.push({ check, status, detail: `\`${cmd}\` ${status === 'pass' ? 'passed' : 'failed'}`, source: `RH-A ran \`${cmd}\` in the phase worktree`, at });
      continue;
    }
    if (/^check_diff: no boundary or convention findings/.test(line)) {
      out.push({
        check: 'boundary-check',
        status: 'pass',
        detail: 'no boundary or convention findings on the changed lines',
        source: 'domain model check_diff',
        at,
      });
      continue;
    }
    const findings = /^(\d+) finding\(s\), (\d+) blocking/.exec(line);
    if (findings) {
      const blocking = Number(findings[2]);
      out.push({
        check: 'boundary-check',
        status: blocking > 0 ? 'fail' : 'pass',
        detail: blocking > 0 ? `${blocking} blocking finding(s)` : `no blocking findings (${findings[1]} warning(s))`,
        source: 'domain model check_diff',
        at,
      });
      continue;
    }
    const pattern = /\(pattern ([a-z][a-z0-9-]+)\)/.exec(line);
    if (pattern) out.push({ check: 'pattern-match', status: 'pass', detail: `follows pattern "${pattern[1]}"`, source: line.slice(0, 200), at });
    const green = /^CI green on (.+)$/.exec(line);
    if (green) out.push({ check: 'ci-green', status: 'pass', detail: `green on ${green[1]}`, source: 'CI watch', at });
  }
  return out;
}

export interface CiSummary {
  passed: string[];
  failed: string[];
  pending: string[];
  flakeRetries: number;
  line: string;
}

export function summariseCi(ci: CiWatchState): CiSummary {
  const jobs = Object.entries(ci.jobs).sort(([a], [b]) => a.localeCompare(b));
  const passed = jobs.filter(([, s]) => s === 'success').map(([j]) => j);
  const failed = jobs.filter(([, s]) => s === 'failure' || s === 'error').map(([j]) => j);
  const pending = jobs.filter(([, s]) => s === 'pending').map(([j]) => j);
  const retried = Object.entries(ci.retries).filter(([, n]) => n > 0);
  const flakeRetries = retried.reduce((sum, [, n]) => sum + n, 0);
  const head =
    ci.outcome === 'green'
      ? `green: ${passed.join(', ') || 'no required jobs'}`
      : ci.outcome === 'skipped'
        ? `green after skipping a failing test by decision (${ci.decision ?? 'skip-test'}): ${passed.join(', ')}`
        : ci.outcome === 'blocked'
          ? `blocked: ${failed.join(', ') || 'a required job'} failing`
          : ci.outcome === 'abandoned'
            ? 'abandoned before CI finished'
            : `still running: ${pending.join(', ') || 'waiting for results'}`;
  const parts = [head];
  if (failed.length > 0 && ci.outcome !== 'blocked') parts.push(`failing: ${failed.join(', ')}`);
  if (flakeRetries > 0) parts.push(`${flakeRetries} known-flake retr${flakeRetries === 1 ? 'y' : 'ies'} (${retried.map(([t, n]) => `${t} ×${n}`).join(', ')})`);
  const alerts = ci.alerts.flat();
  if (alerts.length > 0) parts.push(`${alerts.length} failure(s) escalated earlier`);
  return { passed, failed, pending, flakeRetries, line: `CI ${parts.join('; ')}` };
}

export function evidenceFromCi(ci: CiWatchState, at: Date): EvidenceInput[] {
  const s = summariseCi(ci);
  const source = `CI watch of ${ci.prUrl}`;
  const out: EvidenceInput[] = [];
  if (ci.outcome === 'green') out.push({ check: 'ci-green', status: 'pass', detail: s.line.replace(/^CI /, ''), source, at });
  else if (ci.outcome === 'skipped')
    out.push({ check: 'ci-green', status: 'fail', detail: 'green only after a failing test was skipped by decision', source, at });
  else if (ci.outcome === 'blocked' || ci.outcome === 'abandoned')
    out.push({ check: 'ci-green', status: 'fail', detail: s.line.replace(/^CI /, ''), source, at });
  const e2e = Object.entries(ci.jobs).filter(([job]) => /\be2e\b|e2e-/.test(job));
  if (e2e.length > 0 && e2e.every(([, st]) => st !== 'pending')) {
    const failing = e2e.filter(([, st]) => st !== 'success').map(([j]) => j);
    out.push({
      check: 'adjacent-suites',
      status: failing.length ? 'fail' : 'pass',
      detail: failing.length ? `failing: ${failing.join(', ')}` : `passed: ${e2e.map(([j]) => j).join(', ')}`,
      source,
      at,
    });
  }
  return out;
}

export function evidenceFromImpact(impact: ImpactResult, files: readonly string[], at: Date): EvidenceInput[] {
  const out: EvidenceInput[] = [];
  const source = 'domain model impact of the changed files';
  const p = impact.platforms;
  if (p.scope === 'none') out.push({ check: 'platform-blast-radius', status: 'n/a', detail: 'no platform is affected', source, at });
  else
    out.push({
      check: 'platform-blast-radius',
      status: 'pass',
      detail: p.scope === 'platform-specific' ? `specific to ${p.specific.join(', ')}` : `generic code: can affect ${p.affected.join(', ')}`,
      source,
      at,
    });
  if (impact.invariants.length === 0) out.push({ check: 'invariants-checked', status: 'n/a', detail: 'touches no lifecycle invariant', source, at });
  if (!files.some((f) => f.startsWith('api/'))) {
    out.push({ check: 'api-compatible', status: 'n/a', detail: 'no API type changed', source, at });
    out.push({ check: 'version-skew', status: 'n/a', detail: 'no API type changed', source, at });
  }
  return out;
}

// ------------------------------------------------------------------ invariants, ticked by reviewers

const invariantsHeading = '### Invariants to re-check';

/** One checkbox per lifecycle invariant the change touches; a reviewer ticks each one they re-checked. */
export function renderInvariantChecklist(invariants: ReadonlyArray<{ id: string; statement: string }>): string {
  return [
    invariantsHeading,
    '_Reviewer: tick each invariant once you have re-checked that the change keeps it._',
    ...invariants.map((v) => `- [ ] \`${v.id}\`: ${v.statement.replace(/\n+/g, ' ')}`),
  ].join('\n');
}

/** Invariant ids ticked in a PR description's checklist ("- [x] `id`: …", as GitHub writes a ticked box). */
export function tickedInvariants(body: string): string[] {
  const start = body.indexOf(invariantsHeading);
  if (start < 0) return [];
  const section = body.slice(start + invariantsHeading.length).split(/\n#{1,6} /)[0]!;
  return [...section.matchAll(/^\s*[-*] \[[xX]\] `([a-z0-9-]+)`/gm)].map((m) => m[1]!);
}

/** invariants-checked from the PR's checklist: passes once every touched invariant is ticked. */
export function evidenceFromChecklist(impact: ImpactResult, body: string | undefined, prUrl: string, at: Date): EvidenceInput[] {
  if (impact.invariants.length === 0 || body === undefined || !body.includes(invariantsHeading)) return [];
  const ticked = new Set(tickedInvariants(body));
  const done = impact.invariants.filter((v) => ticked.has(v.id)).map((v) => v.id);
  const open = impact.invariants.filter((v) => !ticked.has(v.id)).map((v) => v.id);
  const source = `checklist in the description of ${prUrl}`;
  // Unticked boxes are not a failure: nobody has re-checked them yet, so the check stays missing.
  if (open.length > 0) return [];
  return [{ check: 'invariants-checked', status: 'pass', detail: `re-checked by a reviewer: ${done.join(', ')}`, source, at }];
}

/** Approving GitHub reviews recorded for a phase (src/confidence/github-events.ts) by an OWNERS approver of its files. */
export function ownersApprovals(audit: ReadonlyArray<{ kind: string; actor: string; detail: unknown }>): string[] {
  return [
    ...new Set(audit.filter((d) => d.kind === 'review-approval' && (d.detail as { ownersApprover?: unknown }).ownersApprover === true).map((d) => d.actor)),
  ];
}

export function evidenceFromHumans(h: PhaseHumans, at: Date): EvidenceInput[] {
  const out: EvidenceInput[] = [];
  const approvers = h.approvedBy.filter((a) => a !== h.ownerId);
  if (approvers.length > 0)
    out.push({
      check: 'approved',
      status: 'pass',
      detail: `approved on GitHub by OWNERS approver ${approvers.join(', ')}`,
      source: 'audit log (review-approval)',
      at,
    });
  if (h.pairedWith.length > 0)
    out.push({
      check: 'paired',
      status: 'pass',
      detail: `paired with ${h.pairedWith.map((p) => `${p.developerId} (${p.messages} messages)`).join(', ')}`,
      source: 'audit log (pair-session)',
      at,
    });
  else if (h.activity && h.activity !== 'core_logic')
    out.push({ check: 'paired', status: 'n/a', detail: `a ${h.activity} phase; pairing is expected on core logic`, source: 'plan', at });
  return out;
}

/** Every piece of evidence for a phase's PR, oldest kind first so the authoritative CI state wins. */
export function assessPhase(input: {
  team: Pick<TeamConfig, 'codegen'>;
  model: DomainModel;
  files: readonly string[];
  evidence: readonly string[];
  ci?: CiWatchState;
  humans?: PhaseHumans;
  change?: PhaseChange;
  patterns?: readonly CuratedPattern[];
  pr?: { url: string; body?: string };
  at: Date;
}): { evidence: EvidenceInput[]; assessment: ConfidenceAssessment; impact: ImpactResult } {
  // The branch's real change, when read, is what the model judges; the plan's list is only a forecast.
  const files = input.change ? [...new Set([...changedFiles(input.change.diff), ...input.files])] : input.files;
  const impact = impactOf(input.model, files);
  const evidence = [
    ...evidenceFromImpact(impact, files, input.at),
    ...(input.change
      ? evidenceFromChange({ change: input.change, model: input.model, impact, ...(input.patterns ? { patterns: input.patterns } : {}), at: input.at })
      : []),
    ...evidenceFromLines(input.evidence, input.team, input.at),
    ...(input.ci ? evidenceFromCi(input.ci, input.at) : []),
    ...(input.humans ? evidenceFromHumans(input.humans, input.at) : []),
    ...(input.pr ? evidenceFromChecklist(impact, input.pr.body, input.pr.url, input.at) : []),
  ];
  return { evidence, assessment: assessConfidence(evidence), impact };
}

// ------------------------------------------------------------------ reviewers

export interface SuggestedReviewer {
  /** Developer id when a role file names this GitHub login, else the login. */
  id: string;
  github: string;
  role: 'approver' | 'reviewer';
  /** True when an OWNERS entry specific to these files names them (not only the repository-wide catch-all). */
  specific: boolean;
}

/**
 * OWNERS approvers and reviewers for the files, most specific first (e.g. the KubeVirt approvers for a
 * KubeVirt file before the repository-wide approvers); the author is left out.
 */
export function reviewersFor(owners: OwnersIndex, files: readonly string[], config: Pick<LoadedConfig, 'roles'>, authorId?: string): SuggestedReviewer[] {
  const suggestion = suggestReviewers(owners, files);
  const catchAll = ownersForFile(owners, 'OWNERS');
  const general = new Set([...catchAll.approvers, ...catchAll.reviewers].map((h) => h.toLowerCase()));
  const byHandle = new Map([...config.roles.values()].filter((r) => r.github).map((r) => [r.github!.toLowerCase(), r.developer]));
  const seen = new Set<string>();
  const out: SuggestedReviewer[] = [];
  const add = (handle: string, role: SuggestedReviewer['role']) => {
    const key = handle.toLowerCase();
    if (seen.has(key)) return;
    seen.add(key);
    const id = byHandle.get(key) ?? handle;
    if (authorId && id === authorId) return;
    out.push({ id, github: handle, role, specific: !general.has(key) });
  };
  for (const h of suggestion.approvers) add(h, 'approver');
  for (const h of suggestion.reviewers) add(h, 'reviewer');
  const rank = (r: SuggestedReviewer) => (byHandle.has(r.github.toLowerCase()) ? 0 : 2) + (r.specific ? 0 : 1) + (r.role === 'approver' ? 0 : 0.5);
  return out
    .map((r, i) => ({ r, i }))
    .sort((a, b) => rank(a.r) - rank(b.r) || a.i - b.i)
    .map(({ r }) => r);
}

// ------------------------------------------------------------------ renderers

function levelSummary(level: ConfidenceAssessment['levels'][number], calibration?: string): string {
  const passed = level.checks.filter((c) => c.status === 'pass').map((c) => c.detail ?? c.label);
  const parts: string[] = [];
  const failing = level.checks.filter((c) => c.status === 'fail').map((c) => (c.detail ? `${c.label} (${c.detail})` : c.label));
  if (failing.length > 0) parts.push(`failing: ${failing.join(', ')}`);
  if (passed.length > 0) parts.push(passed.join('; '));
  if (level.missing.length > 0) parts.push(`missing: ${level.missing.join(', ')}`);
  if (parts.length === 0) parts.push('not applicable to this change');
  if (calibration) parts.push(calibration);
  return redactSecrets(parts.join(' — '));
}

export interface PrDescriptionInput {
  workItemKey: string;
  phaseTitle: string;
  summary?: string;
  files: readonly string[];
  /** Evidence lines as RH-A reports them. */
  evidence: readonly string[];
  assessment: ConfidenceAssessment;
  impact?: ImpactResult;
  reviewers?: readonly SuggestedReviewer[];
  ciLine?: string;
}

/** The PR description: what changed, the evidence lines, what the domain model says about the change, and the confidence table. */
export function renderPrDescription(input: PrDescriptionInput): string {
  const lines = [`**${input.workItemKey}: ${input.phaseTitle}**`, ''];
  if (input.summary) lines.push(input.summary, '');
  lines.push('### Evidence', ...(input.evidence.length ? input.evidence.map((e) => `- ${e.replace(/\n+/g, ' ')}`) : ['- none reported yet']));
  if (input.ciLine) lines.push(`- ${input.ciLine}`);
  if (input.files.length) lines.push('', '### Files', ...input.files.map((f) => `- \`${f}\``));
  if (input.impact) {
    const i = input.impact;
    lines.push(
      '',
      '### Domain model',
      `- components: ${i.components.map((c) => c.id).join(', ') || 'none'}`,
      `- platforms: ${i.platforms.scope}${i.platforms.affected.length ? ` (${i.platforms.scope === 'platform-specific' ? i.platforms.specific.join(', ') : i.platforms.affected.join(', ')})` : ''}`,
    );
    if (i.boundaryRules.length) lines.push(`- boundary rules in play: ${i.boundaryRules.join(', ')}`);
    if (i.invariants.length) lines.push('', renderInvariantChecklist(i.invariants));
  }
  if (input.reviewers?.length)
    lines.push(
      '',
      '### Suggested reviewers (OWNERS)',
      ...input.reviewers
        .slice(0, 12)
        .map((r) => `- @${r.github}${r.id !== r.github ? ` (${r.id})` : ''}: ${r.role}${r.specific ? ', owns these files specifically' : ''}`),
    );
  lines.push('', renderConfidenceMarkdown(input.assessment), '', '_Opened by Situation Room (RH-A); confidence recomputed by RH-O from the evidence above._');
  return redactSecrets(lines.join('\n'));
}

// ------------------------------------------------------------------ the port function

const maxReviewersInNotification = 8;

export function createPrReady(deps: PrReadyDeps): ReviewInsightPort['prReady'] {
  const now = deps.now ?? (() => new Date());
  return async function prReady(args: PrReadyArgs): Promise<PrReadyPayload> {
    const config = deps.config.current();
    const [row, audit, calibration] = await Promise.all([
      getWorkItem(deps.db, args.workItemKey),
      phaseDecisions(deps.db, args.workItemKey, args.phaseId),
      deps.calibration ? deps.calibration.records().then(calibrationTable) : Promise.resolve(undefined),
    ]);
    const plan = row ? Plan.safeParse(row.plan) : undefined;
    const planned = plan?.success ? plan.data.phases.find((p) => p.id === args.phaseId) : undefined;
    const ownerId = row?.ownerId ?? '';
    const humans: PhaseHumans = {
      ownerId,
      approvedBy: ownersApprovals(audit),
      pairedWith: audit
        .filter((d) => d.kind === 'pair-session')
        .map((d) => ({ developerId: d.actor, messages: Number((d.detail as { messages?: number }).messages ?? 0) })),
      ...(planned ? { activity: planned.activity } : {}),
    };
    const at = now();
    const branch = (await phasesOf(deps.db, args.workItemKey)).find((p) => p.phaseId === args.phaseId)?.branch ?? undefined;
    const change = deps.phaseChange
      ? await deps.phaseChange({ workItemKey: args.workItemKey, phaseId: args.phaseId, prUrl: args.prUrl, ...(branch ? { branch } : {}) })
      : undefined;
    const body = deps.pullRequestBody ? await deps.pullRequestBody(args.prUrl) : undefined;
    const { assessment } = assessPhase({
      team: config.team,
      model: deps.insight.model,
      files: args.files,
      evidence: args.evidence,
      ci: args.ci,
      humans,
      ...(change ? { change } : {}),
      ...(deps.patterns ? { patterns: deps.patterns() } : {}),
      pr: { url: args.prUrl, ...(body !== undefined ? { body } : {}) },
      at,
    });
    // The dashboard reads the stored assessment (levels with grades) per phase.
    await savePhaseConfidence(deps.db, args.workItemKey, args.phaseId, JSON.parse(JSON.stringify(assessment)) as unknown);

    const reviewers = reviewersFor(deps.insight.owners, args.files, config, ownerId || undefined);
    const calibrationOf = (level: ConfidenceAssessment['levels'][number]) =>
      calibration ? levelCalibration(calibration, level.level, level.grade) : undefined;
    return {
      kind: 'pr-ready',
      workItemKey: args.workItemKey,
      phaseId: args.phaseId,
      prUrl: args.prUrl,
      ciSummary: summariseCi(args.ci).line,
      reviewers: reviewers.slice(0, maxReviewersInNotification).map((r) => r.id),
      confidence: assessment.levels.map((l) => {
        const c = calibrationOf(l);
        // A level whose grade has not predicted outcomes says so next to the grade, not only in the detail.
        return { level: `${l.level} ${l.name}`, grade: c?.miscalibrated ? `${l.grade} (miscalibrated)` : l.grade, summary: levelSummary(l, c?.note) };
      }),
    };
  };
}

// RH-O's memory port: the morning briefing assembled from stored state, the pair-session summary written
// into the developer's personal memory, and the knowledge proposal drafted after a resolved work item.
// The briefing runs for every developer every morning, so it reads with a fixed number of queries whatever
// the amount of stored work; those reads are in src/db/briefing.ts, and this file composes them.
import type { CiFlakeDecision } from '../contracts/ci.js';
import { describeDecision } from '../knowledge/flake-decisions.js';
import { createHash } from 'node:crypto';
import type { MemoryPort } from '../contracts/ports.js';
import type { LoadedConfig } from '../config/load.js';
import type { RoleFile } from '../config/schema.js';
import type { Database } from '../db/client.js';
import { ciDecisionsOnOpenWorkItems, openWorkItemsOf, othersOpenGates, phasesOfOpenWorkItems, recentDecisionsBy, testsRunSince } from '../db/briefing.js';
import { appendDecision, decisionsFor, getWorkItem, phasesOf, storedDecisionKeys } from '../db/work-items.js';
import { impactOf } from '../domain/index.js';
import { UserError } from '../contracts/failures.js';
import { firstMessageFor } from '../knowledge/onboarding.js';
import type { PersonalMemory } from '../knowledge/personal-memory.js';
import type { KnowledgeStore } from '../knowledge/store.js';
import type { NotificationPayload } from '../contracts/notifications.js';
import { redactSecrets } from '../observability/logger.js';
import { Plan } from '../plan/schema.js';
import type { ConfigSource } from '../config/source.js';
import type { DomainInsight } from '../knowledge/insight.js';
import { localDate, previousEvening } from './local-time.js';
import { draftFromWorkItem } from './proposal-draft.js';
import { firstSentence, oneLine } from './text.js';

export type BriefingPayload = Extract<NotificationPayload, { kind: 'briefing' }>;
export type KnowledgeProposalPayload = Extract<NotificationPayload, { kind: 'knowledge-proposal' }>;

export interface MemoryPortDeps {
  db: Database;
  knowledge: KnowledgeStore;
  config: Pick<ConfigSource, 'current'>;
  insight: Pick<DomainInsight, 'model' | 'owners' | 'impact'>;
  /** Recent merged changes of the target repository's default branch, newest first (git history). */
  history?: () => Promise<MergedChange[]>;
  /** The Jira status of the active work item's ticket, read at briefing time (src/main/jira.ts ticketStatusReader). */
  ticketStatus?: (key: string) => Promise<string>;
}

/** One change merged into the target repository's default branch. */
export interface MergedChange {
  sha: string;
  subject: string;
  files: string[];
  mergedAt: string;
  /** The PR's address when the subject names one and the repository is on a code host. */
  url?: string;
}

/** At most this many precedents from the repository's history in one briefing. */
const maxPrecedents = 5;
/** Notes and decisions this close to the latest one belong to the same session. */
const sessionGapMs = 6 * 3_600_000;

/** Phases somebody is working on, in the order a person would want to hear about them. */
const phaseAttention = [
  'awaiting-approval',
  'awaiting-ci-decision',
  'awaiting-budget',
  'rejected',
  'pairing',
  'running',
  'ci',
  'ready-to-merge',
  'failed',
  'blocked',
];
/** Bounds so a developer with a huge backlog still gets a readable briefing (and a bounded result set). */
const maxActiveItems = 50;
const maxTeamCiTests = 40;
const maxKnowledgeNotes = 5;
/** The pr field of overnight CI lines that are not linked to one of the developer's PRs. */
export const teamWideCi = 'team-wide';

// ------------------------------------------------------------------ helpers

function roleOf(config: LoadedConfig, developerId: string): RoleFile {
  const role = config.roles.get(developerId);
  if (!role) throw new UserError(`no role file for "${developerId}" in ${config.targetRepo}/.rh-agentic/roles/`, { field: 'developer' });
  return role;
}

/** How much to explain to someone whose memory does not exist yet: the role file, then the persona, then experience. */
export function memorySeed(
  config: Pick<LoadedConfig, 'team'>,
  role: RoleFile,
): { familiar: string[]; learning: string[]; explanationLevel: PersonalMemory['explanationLevel'] } {
  const persona = config.team.personas.find((p) => p.id === role.persona);
  const byExperience = { new: 'beginner', intermediate: 'intermediate', senior: 'expert' } as const;
  return {
    familiar: role.platforms.familiar,
    learning: role.platforms.learning,
    explanationLevel: role.explanation_level ?? persona?.explanation_level ?? byExperience[role.experience],
  };
}

function planOf(value: unknown): Plan | undefined {
  const parsed = Plan.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/**
 * The briefing's few notes: curated entries first, but at most three of them, so learned experience that
 * matches (a step people forget, a flaky test) still gets a line; ranking order is kept.
 */
function pickNotes<T extends { tier: 1 | 2 | 3 }>(ranked: readonly T[]): T[] {
  const curated = ranked.filter((k) => k.tier === 1);
  const learned = ranked.filter((k) => k.tier !== 1);
  const keep = new Set<T>(curated.slice(0, maxKnowledgeNotes - 2));
  for (const k of learned) if (keep.size < maxKnowledgeNotes) keep.add(k);
  for (const k of curated) if (keep.size < maxKnowledgeNotes) keep.add(k);
  return ranked.filter((k) => keep.has(k));
}

/** A line like "hypothesis: the capacity error is lost in the MachineSet hop" in a pair summary. */
export function hypothesisIn(summary: string): string | undefined {
  return /(?:^|\n)\s*(?:[-*•]\s*)?hypothesis\s*[:—–-]\s*(.+)/i.exec(summary)?.[1]?.trim() || undefined;
}

/** Decisions that say what the developer did in a session. */
const sessionDecisionKinds = [
  'approve-plan',
  'reject-plan',
  'approve-phase',
  'reject-phase',
  'set-mode',
  'ci-option',
  'knowledge-proposal',
  'budget',
  'pause',
  'resume',
  'cancel',
  'pair-session',
] as const;

const decisionVerb: Record<string, string> = {
  'approve-plan': 'approved the plan of',
  'reject-plan': 'rejected the plan of',
  'approve-phase': 'approved',
  'reject-phase': 'rejected',
  'set-mode': 'switched the mode of',
  'ci-option': 'chose a CI option on',
  'knowledge-proposal': 'answered a knowledge proposal for',
  budget: 'decided the budget of',
  pause: 'paused',
  resume: 'resumed',
  cancel: 'cancelled',
};

/**
 * "Where you left off": the last session (notes and decisions close to the most recent one) in three parts —
 * the questions asked, the phases touched and the decisions taken. Undefined when nothing was recorded.
 */
export function lastSession(
  notes: ReadonlyArray<{ workItemKey: string | null; summary: string; createdAt: Date }>,
  decided: ReadonlyArray<{ kind: string; workItemKey: string | null; phaseId: string | null; decidedAt: Date; detail?: unknown }>,
): string | undefined {
  const latest = Math.max(...notes.map((n) => n.createdAt.getTime()), ...decided.map((d) => d.decidedAt.getTime()));
  if (!Number.isFinite(latest)) return undefined;
  const inSession = (t: Date) => latest - t.getTime() <= sessionGapMs;
  const questions: string[] = [];
  const phases = new Set<string>();
  const choices: string[] = [];
  for (const n of [...notes].filter((n) => inSession(n.createdAt)).reverse()) {
    for (const m of n.summary.matchAll(/(?:^|;\s*|:\s*)asked:\s*([^;]+)/g)) questions.push(m[1]!.trim());
    const pair = /^Pair session on (\S+) phase (\S+) \((\d+) messages\):\s*([\s\S]*)$/.exec(n.summary);
    if (pair) {
      // What was settled in the pair session, without the questions (listed on their own) or the saved hypothesis (its own line).
      const settled = pair[4]!.split(/;\s*|\n/).filter((p) => p.trim() && !/^\s*(asked:|hypothesis\s*[:—–-])/i.test(p) && p.trim() !== 'no code was discussed');
      phases.add(`${pair[1]} phase ${pair[2]} (paired, ${pair[3]} messages${settled.length ? `: ${oneLine(settled.join('; '), 160)}` : ''})`);
    }
  }
  for (const d of [...decided].filter((d) => inSession(d.decidedAt)).reverse()) {
    if (d.kind === 'pair-session') continue;
    if (d.workItemKey && d.phaseId && ![...phases].some((p) => p.startsWith(`${d.workItemKey} phase ${d.phaseId}`)))
      phases.add(`${d.workItemKey} phase ${d.phaseId}`);
    const target = d.phaseId ? `${d.phaseId} of ${d.workItemKey ?? ''}` : (d.workItemKey ?? '');
    const mode = d.kind === 'set-mode' ? ` to ${(d.detail as { mode?: string } | null)?.mode ?? 'another mode'}` : '';
    choices.push(`${decisionVerb[d.kind] ?? d.kind} ${target}${mode}`.trim());
  }
  const parts: string[] = [];
  if (questions.length)
    parts.push(
      `you asked ${[...new Set(questions)]
        .slice(-3)
        .map((q) => `"${oneLine(q, 90)}"`)
        .join(', ')}`,
    );
  if (phases.size) parts.push(`worked on ${[...phases].slice(-4).join(', ')}`);
  if (choices.length) parts.push(`decided: ${[...new Set(choices)].slice(-4).join('; ')}`);
  return parts.length ? oneLine(`${parts.join('; ')}.`, 600) : undefined;
}

// ------------------------------------------------------------------ the port

export function createMemoryPort(deps: MemoryPortDeps): MemoryPort {
  const { db, knowledge } = deps;

  /**
   * Merged changes of the target repository that touched the same files as the plan, or the same model
   * components, newest first, each with why it is related. The developer's own phase PRs are listed already.
   */
  async function precedents(plan: Plan | undefined, listed: string[]): Promise<BriefingPayload['relatedPrs']> {
    const files = [...new Set(plan?.phases.flatMap((p) => p.files) ?? [])];
    if (files.length === 0 || !deps.history) return [];
    const mine = new Set(files);
    const myComponents = new Set(deps.insight.impact(files).components);
    const out: BriefingPayload['relatedPrs'] = [];
    for (const change of await deps.history()) {
      if (out.length >= maxPrecedents) break;
      if (change.url && listed.includes(change.url)) continue;
      const sameFiles = change.files.filter((f) => mine.has(f));
      const sameComponents = sameFiles.length ? [] : deps.insight.impact(change.files).components.filter((c) => myComponents.has(c));
      if (sameFiles.length === 0 && sameComponents.length === 0) continue;
      const why = sameFiles.length
        ? `touched ${sameFiles.slice(0, 3).join(', ')}${sameFiles.length > 3 ? ` and ${sameFiles.length - 3} more` : ''}, which your plan changes`
        : `changed the ${sameComponents.slice(0, 2).join(' and ')} component${sameComponents.length > 1 ? 's' : ''} your plan works in`;
      out.push({
        title: oneLine(change.subject, 120),
        url: change.url ?? '',
        state: `merged ${change.mergedAt.slice(0, 10)}, ${change.sha.slice(0, 10)}`,
        why,
      });
    }
    return out;
  }

  async function briefing({ developerId, at }: { developerId: string; at: string }): Promise<BriefingPayload> {
    const config = deps.config.current();
    const role = roleOf(config, developerId);
    const now = new Date(at);
    if (Number.isNaN(now.getTime())) throw new UserError(`briefing time "${at}" is not an ISO timestamp`, { field: 'at' });
    const since = previousEvening(now, role.time_zone);
    const team = config.team.approvals;
    const isTeamApprover = team.approvers.includes(developerId) || team.backup_approver === developerId;

    const [items, ownPhases, ciDecisions, teamCi, othersGates, memory, notes, myDecisions] = await Promise.all([
      openWorkItemsOf(db, developerId, maxActiveItems),
      phasesOfOpenWorkItems(db, developerId),
      ciDecisionsOnOpenWorkItems(db, developerId),
      testsRunSince(db, since, maxTeamCiTests),
      othersOpenGates(db, developerId, isTeamApprover),
      knowledge.memory.readMemory(developerId, developerId, memorySeed(config, role)),
      knowledge.memory.sessionNotes(developerId, developerId, 20),
      // What the developer decided lately, for "where you left off".
      recentDecisionsBy(db, developerId, sessionDecisionKinds, 20),
    ]);

    // Active work item: the most recently updated open one, with the phase that needs attention first.
    const active = items[0];
    const phasesByItem = new Map<string, typeof ownPhases>();
    for (const p of ownPhases) phasesByItem.set(p.workItemKey, [...(phasesByItem.get(p.workItemKey) ?? []), p]);
    const currentPhase = (key: string) => {
      const list = (phasesByItem.get(key) ?? []).filter((p) => phaseAttention.includes(p.status));
      return list.sort((a, b) => phaseAttention.indexOf(a.status) - phaseAttention.indexOf(b.status) || a.ordinal - b.ordinal)[0];
    };
    const activePhase = active ? currentPhase(active.key) : undefined;
    const ticketStatus = active && deps.ticketStatus ? await deps.ticketStatus(active.key) : undefined;

    const relatedPrs: BriefingPayload['relatedPrs'] = ownPhases
      .filter((p) => p.prUrl)
      .map((p) => ({ title: `${p.workItemKey} · ${p.title}`, url: p.prUrl!, state: p.status }));
    if (active && deps.history)
      relatedPrs.push(
        ...(await precedents(
          planOf(active.plan),
          relatedPrs.map((r) => r.url),
        )),
      );

    // Pending decisions: the developer's own gates, CI failures waiting for a choice, then gates they may decide for others.
    const pendingDecisions: BriefingPayload['pendingDecisions'] = [];
    for (const item of items) {
      if (item.status === 'awaiting-plan-approval')
        pendingDecisions.push({ workItemKey: item.key, kind: 'approve-plan', title: `Approve plan v${item.planVersion} for ${item.title}` });
      for (const p of phasesByItem.get(item.key) ?? []) {
        if (p.status === 'awaiting-approval')
          pendingDecisions.push({ workItemKey: item.key, phaseId: p.phaseId, kind: 'approve-phase', title: `Phase ${p.phaseId}: ${p.title} — gate open` });
        if (p.status === 'rejected')
          pendingDecisions.push({
            workItemKey: item.key,
            phaseId: p.phaseId,
            kind: 'approve-phase',
            title: `Phase ${p.phaseId}: ${p.title} — rejected, waiting for re-approval or a plan edit`,
          });
        if (p.status === 'awaiting-budget')
          pendingDecisions.push({
            workItemKey: item.key,
            phaseId: p.phaseId,
            kind: 'budget',
            title: `Phase ${p.phaseId}: ${p.title} — stopped at its token budget: continue or stop`,
          });
      }
    }
    const lastAlert = new Map<string, (typeof ciDecisions)[number]>();
    for (const d of ciDecisions) {
      const key = `${d.workItemKey}:${d.phaseId}`;
      if (d.kind === 'ci-alert') lastAlert.set(key, d);
      if (d.kind === 'ci-option') lastAlert.delete(key);
    }
    for (const d of lastAlert.values()) {
      const phase = (phasesByItem.get(d.workItemKey!) ?? []).find((p) => p.phaseId === d.phaseId);
      if (phase?.status !== 'awaiting-ci-decision' && phase?.status !== 'ci') continue;
      pendingDecisions.push({
        workItemKey: d.workItemKey!,
        ...(d.phaseId ? { phaseId: d.phaseId } : {}),
        kind: 'ci-option',
        title: `CI failure on phase ${d.phaseId}: fix and re-push, wait for you, or skip the test`,
      });
    }
    const myHandle = role.github?.toLowerCase();
    const approvesViaOwners = (g: (typeof othersGates)[number]): boolean => {
      if (!team.use_owners_files) return false;
      if (g.approvers) return g.approvers.includes(developerId);
      const files = planOf(g.plan)?.phases.find((p) => p.id === g.phaseId)?.files ?? [];
      return myHandle !== undefined && deps.insight.impact(files).approverHandles.some((h) => h.toLowerCase() === myHandle);
    };
    for (const g of othersGates) {
      const owner = config.roles.get(g.ownerId)?.display_name ?? g.ownerId;
      if (g.phaseId) {
        const viaOwners = approvesViaOwners(g);
        if (isTeamApprover || viaOwners)
          pendingDecisions.push({
            workItemKey: g.key,
            phaseId: g.phaseId,
            kind: 'approve-phase',
            title: `${owner}'s phase ${g.phaseId}: ${g.phaseTitle ?? ''} — gate open${viaOwners && !isTeamApprover ? ' (you approve these files in OWNERS)' : ''}`,
          });
      } else if (
        g.status === 'awaiting-plan-approval' &&
        isTeamApprover &&
        !pendingDecisions.some((d) => d.workItemKey === g.key && d.kind === 'approve-plan')
      ) {
        pendingDecisions.push({ workItemKey: g.key, kind: 'approve-plan', title: `${owner}'s plan v${g.planVersion} for ${g.title}` });
      }
    }

    // Overnight CI: what happened on the developer's PRs when the audit log links it to them, else the team's tests.
    const overnightCi: BriefingPayload['overnightCi'] = [];
    for (const d of ciDecisions) {
      if (d.decidedAt.getTime() < since.getTime() || !d.prUrl) continue;
      const detail = d.detail as {
        job?: string;
        tests?: string[];
        failures?: Array<{ test?: string; classification?: string }>;
        decisions?: Array<CiFlakeDecision & { test: string }>;
      };
      if (d.kind === 'ci-retry') {
        // The retry's own decision and inputs when it recorded them (CI watches on Prow's terms).
        const why = (test: string) => {
          const decision = detail.decisions?.find((x) => x.test === test);
          return decision?.state ? ` (${describeDecision(decision)})` : '';
        };
        for (const test of detail.tests ?? [detail.job ?? 'job'])
          overnightCi.push({ pr: d.prUrl, job: detail.job ?? 'unknown job', result: `${test} failed, retried${why(test)}`, classification: 'known-flake' });
      } else if (d.kind === 'ci-alert') {
        for (const f of detail.failures ?? [])
          overnightCi.push({
            pr: d.prUrl,
            job: detail.job ?? 'unknown job',
            result: `${f.test ?? detail.job ?? 'job'} failed`,
            classification: f.classification ?? 'unknown',
          });
      }
    }
    if (overnightCi.length === 0) {
      for (const t of teamCi) {
        const result =
          t.failures === 0 ? 'success' : `${t.test} failed ${t.failures} of ${t.runs} attempts${t.lastOutcome === 'pass' ? ', passed on retry' : ''}`;
        const classification = t.failures === 0 ? undefined : t.health === 'flaky' ? 'known-flake' : t.health === 'failing' ? 'real' : 'unknown';
        overnightCi.push({ pr: teamWideCi, job: t.job ?? t.test, result, ...(classification ? { classification } : {}) });
      }
    }

    // Knowledge for the active item's files and components, each with its tier; the hypothesis has its own line.
    let notesOut: BriefingPayload['knowledge'] = [];
    if (active) {
      const files = [...new Set(planOf(active.plan)?.phases.flatMap((p) => p.files) ?? [])];
      if (files.length > 0) {
        const impact = impactOf(deps.insight.model, files);
        const ranked = await knowledge.relevantKnowledge({
          files,
          components: impact.components.map((c) => c.id),
          platforms: impact.platforms.scope === 'platform-specific' ? impact.platforms.specific : [],
          requesterId: developerId,
          limit: 20,
        });
        notesOut = pickNotes(ranked.filter((k) => k.id !== `memory:${developerId}`)).map((k) => ({
          tier: k.tier,
          title: k.title,
          summary: `${firstSentence(k.body)}${k.outrankedBy ? ` (curated entry "${k.outrankedBy}" takes precedence)` : ''}${k.stale ? ' (may be outdated: some references no longer resolve)' : ''} — ${k.tierLabel}`,
        }));
      }
    }

    const first = firstMessageFor(role, memory);
    const lastNote = notes[0];
    const lastContext =
      lastSession(notes, myDecisions) ??
      memory.leftOff ??
      (lastNote ? `${lastNote.workItemKey ? `${lastNote.workItemKey}: ` : ''}${lastNote.summary}` : undefined);
    return {
      kind: 'briefing',
      developerId,
      date: localDate(now, role.time_zone),
      ...(active
        ? {
            activeWorkItem: {
              key: active.key,
              title: active.title,
              status: active.status,
              ...(activePhase ? { phase: activePhase.phaseId } : {}),
              ...(ticketStatus !== undefined ? { ticketStatus } : {}),
            },
          }
        : {}),
      ...(lastContext ? { lastContext } : {}),
      ...(memory.hypothesis ? { hypothesis: memory.hypothesis } : {}),
      relatedPrs,
      pendingDecisions,
      overnightCi,
      knowledge: notesOut,
      ...(first.kind === 'orientation'
        ? {
            orientation: {
              title: `Orientation before your first task (${first.walk.stops.length} stops)`,
              steps: first.walk.stops.map((s) => `${s.title}: ${s.text} (code: ${s.refs.join(', ')})`),
              concepts: first.walk.explained,
            },
          }
        : {}),
    };
  }

  async function savePairSummary(args: { developerId: string; workItemKey: string; phaseId: string; summary: string; messages: number }): Promise<void> {
    // A retried activity must not write the note twice: the audit row (who paired on what, not what was said) is the marker.
    const digest = createHash('sha256').update(`${args.messages}\n${args.summary}`).digest('hex').slice(0, 16);
    const idempotencyKey = `pair-session:${args.workItemKey}:${args.phaseId}:${args.developerId}:${digest}`;
    if ((await storedDecisionKeys(db, [idempotencyKey])).has(idempotencyKey)) return;
    const summary = args.summary.trim() || 'no summary';
    await knowledge.memory.addSessionNote(args.developerId, args.developerId, {
      workItemKey: args.workItemKey,
      summary: `Pair session on ${args.workItemKey} phase ${args.phaseId} (${args.messages} messages): ${summary}`,
    });
    const hypothesis = hypothesisIn(summary);
    await knowledge.memory.updateMemory(args.developerId, args.developerId, {
      leftOff: oneLine(`${args.workItemKey} phase ${args.phaseId}: ${summary}`, 600),
      ...(hypothesis ? { hypothesis: oneLine(hypothesis, 600) } : {}),
    });
    await appendDecision(db, {
      idempotencyKey,
      workItemKey: args.workItemKey,
      phaseId: args.phaseId,
      kind: 'pair-session',
      actor: args.developerId,
      surface: 'slack-message',
      detail: { messages: args.messages },
    });
  }

  async function proposeKnowledge({
    workItemKey,
    ownerId,
    agentNotes,
  }: {
    workItemKey: string;
    ownerId: string;
    agentNotes?: string[];
  }): Promise<KnowledgeProposalPayload | undefined> {
    const [item, phaseRows, audit] = await Promise.all([getWorkItem(db, workItemKey), phasesOf(db, workItemKey), decisionsFor(db, workItemKey)]);
    const plan = item ? planOf(item.plan) : undefined;
    if (!item || !plan) return undefined;
    const drafted = draftFromWorkItem({ item, plan, phases: phaseRows, decisions: audit, model: deps.insight.model });
    const draft = agentNotes?.length
      ? { ...drafted, body: redactSecrets(`${drafted.body}\n\nWhat the agent noted while doing it:\n${agentNotes.join('\n')}`).slice(0, 8_000) }
      : drafted;
    const proposal = await knowledge.proposals.proposeFromResolvedWorkItem({ workItemKey, developerId: ownerId, draft });
    return { kind: 'knowledge-proposal', proposalId: String(proposal.id), workItemKey, title: proposal.draft.title, body: proposal.draft.body };
  }

  return { briefing, savePairSummary, proposeKnowledge };
}

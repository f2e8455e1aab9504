// The knowledge repositories: tier 1 (pattern library, mirrored from the target repository and changed only
// through a curator's review), tier 2 (experience written automatically), tier 3 (personal memory, readable
// only by its developer), and the proposal queue between them. All rules live here so every surface
// (Slack, dashboard, CLI, activities) gets the same guarantees.
import { and, asc, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../db/client.js';
import {
  ciTestRuns,
  experienceEntries,
  knowledgePatterns,
  knowledgePatternVersions,
  knowledgeProposals,
  personalMemory,
  personalSessionNotes,
} from '../db/schema/knowledge.js';
import type { LoadedConfig } from '../config/load.js';
import { redactSecrets } from '../observability/logger.js';
import { failureSignature, testStatistics, type FlakePolicy, type TestRun, type TestStatistics } from './flakes.js';
import { Applicability, CodeRef, type LoadedPattern, type PatternFile, type PatternState } from './patterns.js';
import { rankKnowledge, type KnowledgeItem, type KnowledgeQuery, type RankedKnowledge } from './relevance.js';
import { checkStaleness, type RefResolver } from './staleness.js';

/** A rule of the knowledge process was broken (wrong person, wrong state). Surfaces show the message as is. */
export class KnowledgeAccessError extends Error {
  override readonly name = 'KnowledgeAccessError';
}

export interface Curators {
  isCurator(developerId: string): boolean;
}

/** Curators are the team's approvers and every developer whose persona is "tech-lead". */
export function curatorsFromConfig(config: Pick<LoadedConfig, 'team' | 'roles'>): Curators {
  const ids = new Set(config.team.approvals.approvers);
  for (const role of config.roles.values()) if (role.persona === 'tech-lead') ids.add(role.developer);
  return { isCurator: (id) => ids.has(id) };
}

export const ProposalDraft = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9-]{2,80}$/, 'must be a lower-case id like "capi-error-propagation"'),
  title: z.string().min(5).max(160),
  body: z.string().min(20),
  applicability: Applicability,
  references: z.array(CodeRef).default([]),
  topics: z.array(z.string().min(1)).default([]),
});
export type ProposalDraft = z.output<typeof ProposalDraft>;
export type ProposalDraftInput = z.input<typeof ProposalDraft>;

export type ProposalKind = 'new-pattern' | 'promotion' | 'retirement';
export type ProposalStatus = 'awaiting-developer' | 'in-review' | 'approved' | 'rejected' | 'declined';

export interface Proposal {
  id: number;
  kind: ProposalKind;
  status: ProposalStatus;
  developerId: string;
  workItemKey: string | null;
  patternId: string | null;
  experienceKey: string | null;
  draft: ProposalDraft;
  developerResponse: 'yes' | 'edit' | 'no' | null;
  reviewer: string | null;
  reviewNote: string | null;
  createdAt: Date;
}

export interface Pattern extends PatternFile {
  origin: 'repository' | 'proposal' | 'promotion';
  sourcePath: string | null;
  staleRefs: string[];
  checkedAt: Date | null;
  updatedAt: Date;
}

export interface ExperienceEntry {
  key: string;
  kind: 'ci-test' | 'plan-slip' | 'ticket-summary';
  title: string;
  body: string;
  applicability: Applicability;
  topics: string[];
  data: Record<string, unknown>;
  occurrences: number;
  promotedTo: string | null;
  lastSeen: Date;
}

export interface PersonalMemory {
  developerId: string;
  familiarPlatforms: string[];
  learningPlatforms: string[];
  explanationLevel: 'beginner' | 'intermediate' | 'expert';
  leftOff: string | null;
  hypothesis: string | null;
  conceptExposure: Record<string, number>;
  orientationCompletedAt: Date | null;
}

const noApplicability: Applicability = { components: [], files: [], platforms: [] };

type PatternRow = typeof knowledgePatterns.$inferSelect;
type ProposalRow = typeof knowledgeProposals.$inferSelect;
type ExperienceRow = typeof experienceEntries.$inferSelect;

function toPattern(r: PatternRow): Pattern {
  return {
    id: r.id,
    title: r.title,
    body: r.body,
    applicability: r.applicability as Applicability,
    references: r.references as string[],
    topics: r.topics as string[],
    state: r.state as PatternState,
    version: r.version,
    ...(r.reviewer ? { reviewer: r.reviewer } : {}),
    origin: r.origin as Pattern['origin'],
    sourcePath: r.sourcePath,
    staleRefs: r.staleRefs as string[],
    checkedAt: r.checkedAt,
    updatedAt: r.updatedAt,
  };
}

function toProposal(r: ProposalRow): Proposal {
  return {
    id: r.id,
    kind: r.kind as ProposalKind,
    status: r.status as ProposalStatus,
    developerId: r.developerId,
    workItemKey: r.workItemKey,
    patternId: r.patternId,
    experienceKey: r.experienceKey,
    draft: r.draft as ProposalDraft,
    developerResponse: r.developerResponse as Proposal['developerResponse'],
    reviewer: r.reviewer,
    reviewNote: r.reviewNote,
    createdAt: r.createdAt,
  };
}

function toExperience(r: ExperienceRow): ExperienceEntry {
  return {
    key: r.key,
    kind: r.kind as ExperienceEntry['kind'],
    title: r.title,
    body: r.body,
    applicability: r.applicability as Applicability,
    topics: r.topics as string[],
    data: r.data as Record<string, unknown>,
    occurrences: r.occurrences,
    promotedTo: r.promotedTo,
    lastSeen: r.lastSeen,
  };
}

/** jsonb does not keep key order, so compare with keys sorted. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}
const sameJson = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);
const firstLines = (text: string, n = 20) => redactSecrets(text.split(/\r?\n/).slice(0, n).join('\n')).slice(0, 4000);

export interface KnowledgeStoreOptions {
  curators: Curators;
  now?: () => Date;
}

/**
 * Adds one to each concept's explanation count in a single statement, so two deliveries at once cannot lose a
 * count. Takes any Database (or transaction) so the caller can make it part of the write that proves the
 * explanation was delivered: the outbox dispatcher counts a briefing's concepts in the transaction that marks
 * that briefing's dedupe key delivered, which happens once per key. A developer without a memory row (it is
 * created, seeded from the role file, when their briefing is assembled) is left alone.
 */
export async function countExplained(db: Database, developerId: string, concepts: readonly string[], at: Date = new Date()): Promise<void> {
  const unique = [...new Set(concepts)];
  if (unique.length === 0) return;
  const pairs = sql.join(
    unique.map((c) => sql`${c}::text, COALESCE((${personalMemory.conceptExposure} ->> ${c}::text)::int, 0) + 1`),
    sql`, `,
  );
  await db
    .update(personalMemory)
    .set({ conceptExposure: sql`${personalMemory.conceptExposure} || jsonb_build_object(${pairs})`, updatedAt: at })
    .where(eq(personalMemory.developerId, developerId));
}

export class KnowledgeStore {
  private readonly now: () => Date;
  private readonly curators: Curators;

  constructor(private readonly db: Database, options: KnowledgeStoreOptions) {
    this.now = options.now ?? (() => new Date());
    this.curators = options.curators;
  }

  isCurator(developerId: string): boolean {
    return this.curators.isCurator(developerId);
  }

  // ---------------------------------------------------------------- tier 1: pattern library

  /**
   * Mirrors .rh-agentic/patterns/ into the store. The repository is the reviewed source of truth for the
   * entries it holds; an entry approved here but not yet written back (a higher version) is kept; an entry
   * that came from the repository and is no longer there was deleted by a reviewed change and is retired.
   */
  async syncPatternLibrary(files: readonly LoadedPattern[]): Promise<{ added: string[]; updated: string[]; retired: string[]; unchanged: string[] }> {
    const result = { added: [] as string[], updated: [] as string[], retired: [] as string[], unchanged: [] as string[] };
    const existing = new Map((await this.db.select().from(knowledgePatterns)).map((r) => [r.id, r]));
    for (const file of files) {
      const row = existing.get(file.id);
      if (row && row.version > file.version) {
        result.unchanged.push(file.id);
        continue;
      }
      const values = {
        title: file.title,
        body: file.body,
        applicability: file.applicability,
        references: file.references,
        topics: file.topics,
        state: file.state,
        version: file.version,
        reviewer: file.reviewer ?? null,
        origin: row?.origin ?? 'repository',
        sourcePath: file.sourcePath,
        updatedAt: this.now(),
      };
      if (!row) {
        await this.db.insert(knowledgePatterns).values({ id: file.id, ...values });
        result.added.push(file.id);
      } else if (
        row.version === file.version && row.state === file.state && row.body === file.body && row.title === file.title &&
        sameJson(row.applicability, file.applicability) && sameJson(row.references, file.references) && sameJson(row.topics, file.topics)
      ) {
        if (row.sourcePath !== file.sourcePath) await this.db.update(knowledgePatterns).set({ sourcePath: file.sourcePath }).where(eq(knowledgePatterns.id, file.id));
        result.unchanged.push(file.id);
        continue;
      } else {
        await this.db.update(knowledgePatterns).set(values).where(eq(knowledgePatterns.id, file.id));
        result.updated.push(file.id);
      }
      await this.recordVersion(file.id, file);
    }
    const present = new Set(files.map((f) => f.id));
    for (const row of existing.values()) {
      if (row.origin === 'repository' && row.sourcePath && !present.has(row.id) && row.state !== 'retired') {
        await this.db.update(knowledgePatterns).set({ state: 'retired', updatedAt: this.now() }).where(eq(knowledgePatterns.id, row.id));
        result.retired.push(row.id);
      }
    }
    return result;
  }

  private async recordVersion(id: string, p: Pick<PatternFile, 'version' | 'state' | 'title' | 'body' | 'applicability' | 'references' | 'reviewer'>): Promise<void> {
    await this.db
      .insert(knowledgePatternVersions)
      .values({ patternId: id, version: p.version, state: p.state, title: p.title, body: p.body, applicability: p.applicability, references: p.references, reviewer: p.reviewer ?? null, recordedAt: this.now() })
      .onConflictDoNothing();
  }

  async getPattern(id: string): Promise<Pattern | undefined> {
    const [row] = await this.db.select().from(knowledgePatterns).where(eq(knowledgePatterns.id, id));
    return row ? toPattern(row) : undefined;
  }

  async listPatterns(state?: PatternState): Promise<Pattern[]> {
    const rows = await this.db.select().from(knowledgePatterns).where(state ? eq(knowledgePatterns.state, state) : undefined).orderBy(asc(knowledgePatterns.id));
    return rows.map(toPattern);
  }

  async patternHistory(id: string): Promise<Array<{ version: number; state: string; reviewer: string | null; recordedAt: Date }>> {
    const rows = await this.db.select().from(knowledgePatternVersions).where(eq(knowledgePatternVersions.patternId, id)).orderBy(asc(knowledgePatternVersions.id));
    return rows.map((r) => ({ version: r.version, state: r.state, reviewer: r.reviewer, recordedAt: r.recordedAt }));
  }

  /** Flags approved entries whose references no longer resolve; clears the flag when they do again. */
  async checkStaleness(resolve: RefResolver): Promise<Array<{ id: string; missing: string[] }>> {
    const stale: Array<{ id: string; missing: string[] }> = [];
    for (const p of await this.listPatterns('approved')) {
      const report = checkStaleness({ references: p.references, files: p.applicability.files }, resolve);
      await this.db.update(knowledgePatterns).set({ staleRefs: report.missing, checkedAt: this.now() }).where(eq(knowledgePatterns.id, p.id));
      if (report.stale) stale.push({ id: p.id, missing: report.missing });
    }
    return stale;
  }

  // ---------------------------------------------------------------- curation

  /** After a resolved work item: a draft entry offered to its developer (yes / edit first / no). Idempotent per work item. */
  async proposeFromResolvedWorkItem(input: { workItemKey: string; developerId: string; draft: ProposalDraftInput }): Promise<Proposal> {
    const draft = ProposalDraft.parse(input.draft);
    return this.insertProposal({ dedupeKey: `resolved:${input.workItemKey}`, kind: 'new-pattern', status: 'awaiting-developer', developerId: input.developerId, workItemKey: input.workItemKey, patternId: draft.id, draft });
  }

  /**
   * The developer's answer. "yes" and "edit" (with the edited draft) send it to a curator; "no" declines it.
   * Nothing reaches tier 1 here.
   */
  async respondToProposal(id: number, developerId: string, response: 'yes' | 'edit' | 'no', edited?: ProposalDraftInput): Promise<Proposal> {
    const proposal = await this.requireProposal(id);
    if (proposal.developerId !== developerId) throw new KnowledgeAccessError(`proposal ${id} was offered to ${proposal.developerId}, not ${developerId}`);
    if (proposal.status !== 'awaiting-developer') throw new KnowledgeAccessError(`proposal ${id} is ${proposal.status}; it no longer takes an answer`);
    if (response === 'edit' && !edited) throw new KnowledgeAccessError('"edit first" needs the edited entry');
    const draft = response === 'edit' ? ProposalDraft.parse(edited) : proposal.draft;
    const status: ProposalStatus = response === 'no' ? 'declined' : 'in-review';
    const [row] = await this.db
      .update(knowledgeProposals)
      .set({ status, developerResponse: response, draft, patternId: draft.id, updatedAt: this.now() })
      .where(and(eq(knowledgeProposals.id, id), eq(knowledgeProposals.status, 'awaiting-developer')))
      .returning();
    if (!row) throw new KnowledgeAccessError(`proposal ${id} was answered concurrently`);
    return toProposal(row);
  }

  /** Promotion of a tier 2 entry: a curator still has to approve the resulting pattern. */
  async proposePromotion(input: { experienceKey: string; proposerId: string; draft: ProposalDraftInput }): Promise<Proposal> {
    const [source] = await this.db.select().from(experienceEntries).where(eq(experienceEntries.key, input.experienceKey));
    if (!source) throw new KnowledgeAccessError(`no experience entry "${input.experienceKey}"`);
    const draft = ProposalDraft.parse(input.draft);
    return this.insertProposal({ dedupeKey: `promote:${input.experienceKey}:${draft.id}`, kind: 'promotion', status: 'in-review', developerId: input.proposerId, experienceKey: input.experienceKey, patternId: draft.id, draft });
  }

  async proposeRetirement(input: { patternId: string; proposerId: string; reason: string }): Promise<Proposal> {
    const pattern = await this.getPattern(input.patternId);
    if (!pattern || pattern.state !== 'approved') throw new KnowledgeAccessError(`pattern "${input.patternId}" is not an approved entry`);
    const draft: ProposalDraft = { id: pattern.id, title: pattern.title, body: input.reason.length >= 20 ? input.reason : `Retire: ${input.reason} (${pattern.title})`, applicability: pattern.applicability, references: pattern.references, topics: pattern.topics };
    return this.insertProposal({ dedupeKey: `retire:${pattern.id}:${pattern.version}`, kind: 'retirement', status: 'in-review', developerId: input.proposerId, patternId: pattern.id, draft });
  }

  private async insertProposal(values: typeof knowledgeProposals.$inferInsert): Promise<Proposal> {
    const now = this.now();
    const [row] = await this.db.insert(knowledgeProposals).values({ ...values, createdAt: now, updatedAt: now }).onConflictDoNothing().returning();
    if (row) return toProposal(row);
    const [existing] = await this.db.select().from(knowledgeProposals).where(eq(knowledgeProposals.dedupeKey, values.dedupeKey));
    return toProposal(existing!);
  }

  async getProposal(id: number): Promise<Proposal | undefined> {
    const [row] = await this.db.select().from(knowledgeProposals).where(eq(knowledgeProposals.id, id));
    return row ? toProposal(row) : undefined;
  }

  private async requireProposal(id: number): Promise<Proposal> {
    const p = await this.getProposal(id);
    if (!p) throw new KnowledgeAccessError(`no proposal ${id}`);
    return p;
  }

  async reviewQueue(): Promise<Proposal[]> {
    const rows = await this.db.select().from(knowledgeProposals).where(eq(knowledgeProposals.status, 'in-review')).orderBy(asc(knowledgeProposals.createdAt), asc(knowledgeProposals.id));
    return rows.map(toProposal);
  }

  async proposalsAwaiting(developerId: string): Promise<Proposal[]> {
    const rows = await this.db.select().from(knowledgeProposals).where(and(eq(knowledgeProposals.developerId, developerId), eq(knowledgeProposals.status, 'awaiting-developer')));
    return rows.map(toProposal);
  }

  /**
   * A curator's decision. Approval is the only way into tier 1: a new entry or promotion becomes the next
   * approved version with the reviewer recorded; a retirement retires the entry. The proposer cannot
   * review their own proposal.
   */
  async reviewProposal(id: number, reviewerId: string, decision: 'approve' | 'reject', note = ''): Promise<{ proposal: Proposal; pattern?: Pattern }> {
    if (!this.curators.isCurator(reviewerId)) throw new KnowledgeAccessError(`${reviewerId} is not a knowledge curator (tech lead or team approver)`);
    const proposal = await this.requireProposal(id);
    if (proposal.status !== 'in-review') throw new KnowledgeAccessError(`proposal ${id} is ${proposal.status}, not in review`);
    if (proposal.developerId === reviewerId) throw new KnowledgeAccessError(`${reviewerId} proposed this entry and cannot also review it`);
    const now = this.now();
    const status: ProposalStatus = decision === 'approve' ? 'approved' : 'rejected';
    const [row] = await this.db
      .update(knowledgeProposals)
      .set({ status, reviewer: reviewerId, reviewNote: note, updatedAt: now })
      .where(and(eq(knowledgeProposals.id, id), eq(knowledgeProposals.status, 'in-review')))
      .returning();
    if (!row) throw new KnowledgeAccessError(`proposal ${id} was reviewed concurrently`);
    if (decision === 'reject') return { proposal: toProposal(row) };

    const draft = proposal.draft;
    const current = await this.getPattern(draft.id);
    if (proposal.kind === 'retirement') {
      if (!current) throw new KnowledgeAccessError(`pattern "${draft.id}" no longer exists`);
      await this.db.update(knowledgePatterns).set({ state: 'retired', reviewer: reviewerId, updatedAt: now }).where(eq(knowledgePatterns.id, draft.id));
      await this.recordVersion(draft.id, { ...current, state: 'retired', reviewer: reviewerId });
      return { proposal: toProposal(row), pattern: (await this.getPattern(draft.id))! };
    }
    const version = (current?.version ?? 0) + 1;
    const values = {
      title: draft.title,
      body: draft.body,
      applicability: draft.applicability,
      references: draft.references,
      topics: draft.topics,
      state: 'approved' as const,
      version,
      reviewer: reviewerId,
      origin: proposal.kind === 'promotion' ? 'promotion' : 'proposal',
      updatedAt: now,
    };
    if (current) await this.db.update(knowledgePatterns).set(values).where(eq(knowledgePatterns.id, draft.id));
    else await this.db.insert(knowledgePatterns).values({ id: draft.id, ...values, sourcePath: null });
    await this.recordVersion(draft.id, { ...values, reviewer: reviewerId });
    if (proposal.experienceKey) await this.db.update(experienceEntries).set({ promotedTo: draft.id }).where(eq(experienceEntries.key, proposal.experienceKey));
    return { proposal: toProposal(row), pattern: (await this.getPattern(draft.id))! };
  }

  // ---------------------------------------------------------------- tier 2: experience

  /** One CI attempt. Idempotent on (test, runId, attempt): a redelivered webhook records it once. */
  async recordTestRun(run: TestRun & { job?: string }): Promise<void> {
    const signature = run.outcome === 'fail' ? (run.signature ?? (run.message ? failureSignature(run.message) : null)) : null;
    await this.db
      .insert(ciTestRuns)
      .values({
        test: run.test,
        job: run.job ?? null,
        runId: run.runId,
        commitSha: run.commit,
        attempt: run.attempt,
        outcome: run.outcome,
        signature,
        message: run.message ? firstLines(run.message) : null,
        durationMs: run.durationMs ?? null,
        occurredAt: run.at,
      })
      .onConflictDoNothing();
  }

  async testHistory(test: string, limitRuns = 500): Promise<TestRun[]> {
    const rows = await this.db.select().from(ciTestRuns).where(eq(ciTestRuns.test, test)).orderBy(desc(ciTestRuns.occurredAt), desc(ciTestRuns.attempt)).limit(limitRuns * 4);
    return rows.reverse().map((r) => ({
      test: r.test,
      runId: r.runId,
      commit: r.commitSha,
      attempt: r.attempt,
      outcome: r.outcome as 'pass' | 'fail',
      signature: r.signature ?? undefined,
      message: r.message ?? undefined,
      durationMs: r.durationMs ?? undefined,
      at: r.occurredAt,
    }));
  }

  /** Recomputes the tier 2 CI entry of a test from its runs; applicability says which code the test covers. */
  async refreshTestExperience(test: string, policy: FlakePolicy, applicability: Partial<Applicability> = {}): Promise<TestStatistics> {
    const stats = testStatistics(await this.testHistory(test, policy.window_runs), test, policy);
    const pct = (x: number) => `${Math.round(x * 100)}%`;
    const top = stats.signatures[0];
    const body =
      `${test}: ${stats.health} over the last ${stats.runs} runs; pass rate ${pct(stats.passRate)}, ` +
      `first-attempt failures ${pct(stats.failureRate)}, passed only on retry ${pct(stats.flakeRate)}.` +
      (top ? ` Most frequent failure: "${top.signature}" (${top.count}×).` : '');
    const merged: Applicability = { ...noApplicability, components: ['ci'], ...applicability };
    await this.upsertExperience({ key: `ci-test:${test}`, kind: 'ci-test', title: `CI: ${test} is ${stats.health}`, body, applicability: merged, topics: [`ci:${test}`], data: { ...stats, signatures: stats.signatures.map((s) => ({ ...s, lastSeen: s.lastSeen.toISOString() })) } }, false);
    return stats;
  }

  /** A step people keep forgetting during plan execution; each recurrence strengthens the entry. */
  async recordPlanSlip(input: { step: string; workItemKey: string; detail: string; applicability: Partial<Applicability> }): Promise<ExperienceEntry> {
    const slug = input.step.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
    return this.upsertExperience({ key: `plan-slip:${slug}`, kind: 'plan-slip', title: `Often forgotten: ${input.step}`, body: redactSecrets(input.detail), applicability: { ...noApplicability, ...input.applicability }, topics: [`slip:${slug}`], data: { lastWorkItem: input.workItemKey } }, true);
  }

  async recordTicketSummary(input: { workItemKey: string; title: string; summary: string; applicability: Partial<Applicability> }): Promise<ExperienceEntry> {
    return this.upsertExperience({ key: `ticket:${input.workItemKey}`, kind: 'ticket-summary', title: `${input.workItemKey}: ${input.title}`, body: redactSecrets(input.summary), applicability: { ...noApplicability, ...input.applicability }, topics: [], data: { workItemKey: input.workItemKey } }, false);
  }

  private async upsertExperience(e: Omit<ExperienceEntry, 'occurrences' | 'promotedTo' | 'lastSeen'>, countOccurrence: boolean): Promise<ExperienceEntry> {
    const now = this.now();
    const [row] = await this.db
      .insert(experienceEntries)
      .values({ ...e, firstSeen: now, lastSeen: now })
      .onConflictDoUpdate({
        target: experienceEntries.key,
        set: {
          title: e.title,
          body: e.body,
          applicability: e.applicability,
          topics: e.topics,
          data: e.data,
          lastSeen: now,
          ...(countOccurrence ? { occurrences: sql`${experienceEntries.occurrences} + 1` } : {}),
        },
      })
      .returning();
    return toExperience(row!);
  }

  async listExperience(kind?: ExperienceEntry['kind']): Promise<ExperienceEntry[]> {
    const rows = await this.db.select().from(experienceEntries).where(kind ? eq(experienceEntries.kind, kind) : undefined).orderBy(desc(experienceEntries.lastSeen));
    return rows.map(toExperience);
  }

  // ---------------------------------------------------------------- tier 3: personal memory

  private assertSelf(requesterId: string, developerId: string): void {
    if (requesterId !== developerId) throw new KnowledgeAccessError(`personal memory of ${developerId} is private; ${requesterId} cannot read or change it`);
  }

  /** Creates the memory from the role file on first use; afterwards the stored memory wins. */
  async readMemory(requesterId: string, developerId: string, seed?: { familiar: string[]; learning: string[]; explanationLevel: PersonalMemory['explanationLevel'] }): Promise<PersonalMemory> {
    this.assertSelf(requesterId, developerId);
    const [row] = await this.db.select().from(personalMemory).where(eq(personalMemory.developerId, developerId));
    if (row) return this.toMemory(row);
    const values = { developerId, familiarPlatforms: seed?.familiar ?? [], learningPlatforms: seed?.learning ?? [], explanationLevel: seed?.explanationLevel ?? 'intermediate', updatedAt: this.now() };
    const [created] = await this.db.insert(personalMemory).values(values).onConflictDoNothing().returning();
    if (created) return this.toMemory(created);
    const [again] = await this.db.select().from(personalMemory).where(eq(personalMemory.developerId, developerId));
    return this.toMemory(again!);
  }

  private toMemory(r: typeof personalMemory.$inferSelect): PersonalMemory {
    return {
      developerId: r.developerId,
      familiarPlatforms: r.familiarPlatforms as string[],
      learningPlatforms: r.learningPlatforms as string[],
      explanationLevel: r.explanationLevel as PersonalMemory['explanationLevel'],
      leftOff: r.leftOff,
      hypothesis: r.hypothesis,
      conceptExposure: r.conceptExposure as Record<string, number>,
      orientationCompletedAt: r.orientationCompletedAt,
    };
  }

  async updateMemory(requesterId: string, developerId: string, patch: Partial<Pick<PersonalMemory, 'familiarPlatforms' | 'learningPlatforms' | 'explanationLevel' | 'leftOff' | 'hypothesis' | 'orientationCompletedAt'>>): Promise<PersonalMemory> {
    await this.readMemory(requesterId, developerId);
    const clean = { ...patch, ...(patch.leftOff ? { leftOff: redactSecrets(patch.leftOff) } : {}), ...(patch.hypothesis ? { hypothesis: redactSecrets(patch.hypothesis) } : {}) };
    await this.db.update(personalMemory).set({ ...clean, updatedAt: this.now() }).where(eq(personalMemory.developerId, developerId));
    return this.readMemory(requesterId, developerId);
  }

  /** Counts how often each concept was explained to the developer; explanations get shorter as it grows. */
  async recordExplained(requesterId: string, developerId: string, concepts: readonly string[]): Promise<PersonalMemory> {
    await this.readMemory(requesterId, developerId);
    await countExplained(this.db, developerId, concepts, this.now());
    return this.readMemory(requesterId, developerId);
  }

  /**
   * The developer says the orientation is done. The first time is kept: a second tap (or a retry) does not
   * move it, so "orientation finished on …" stays true.
   */
  async completeOrientation(requesterId: string, developerId: string): Promise<{ memory: PersonalMemory; first: boolean }> {
    await this.readMemory(requesterId, developerId);
    const updated = await this.db
      .update(personalMemory)
      .set({ orientationCompletedAt: this.now(), updatedAt: this.now() })
      .where(and(eq(personalMemory.developerId, developerId), isNull(personalMemory.orientationCompletedAt)))
      .returning({ developerId: personalMemory.developerId });
    return { memory: await this.readMemory(requesterId, developerId), first: updated.length > 0 };
  }

  async addSessionNote(requesterId: string, developerId: string, note: { workItemKey?: string; summary: string }): Promise<void> {
    this.assertSelf(requesterId, developerId);
    await this.db.insert(personalSessionNotes).values({ developerId, workItemKey: note.workItemKey ?? null, summary: redactSecrets(note.summary), createdAt: this.now() });
  }

  async sessionNotes(requesterId: string, developerId: string, limit = 10): Promise<Array<{ workItemKey: string | null; summary: string; createdAt: Date }>> {
    this.assertSelf(requesterId, developerId);
    const rows = await this.db.select().from(personalSessionNotes).where(eq(personalSessionNotes.developerId, developerId)).orderBy(desc(personalSessionNotes.createdAt), desc(personalSessionNotes.id)).limit(limit);
    return rows.map((r) => ({ workItemKey: r.workItemKey, summary: r.summary, createdAt: r.createdAt }));
  }

  // ---------------------------------------------------------------- surfacing

  /**
   * Knowledge from every tier that applies to the files/components/platforms, ranked with curated policy
   * first. Tier 3 is included only for the requesting developer's own memory (their learning platforms
   * and saved hypothesis), never someone else's.
   */
  async relevantKnowledge(query: KnowledgeQuery & { requesterId?: string; limit?: number }): Promise<RankedKnowledge[]> {
    const items: KnowledgeItem[] = [];
    for (const p of await this.listPatterns('approved')) {
      items.push({ tier: 1, id: p.id, title: p.title, body: p.body, applicability: p.applicability, topics: p.topics, source: p.sourcePath ?? `pattern ${p.id} v${p.version}`, stale: p.staleRefs.length > 0 });
    }
    for (const e of await this.listExperience()) {
      items.push({ tier: 2, id: e.key, title: e.title, body: e.body, applicability: e.applicability, topics: e.topics, source: e.kind === 'ci-test' ? `CI history of ${e.key.slice('ci-test:'.length)}` : e.key });
    }
    if (query.requesterId) {
      const [row] = await this.db.select().from(personalMemory).where(eq(personalMemory.developerId, query.requesterId));
      if (row?.hypothesis) {
        const memory = this.toMemory(row);
        items.push({
          tier: 3,
          id: `memory:${memory.developerId}`,
          title: 'Your saved hypothesis',
          body: memory.hypothesis!,
          // The saved hypothesis is about the developer's current work, so it accompanies whatever they look at.
          applicability: { components: [...(query.components ?? [])], files: [...(query.files ?? [])], platforms: [] },
          topics: [],
          source: 'your notes',
        });
      }
    }
    return rankKnowledge(items, query).slice(0, query.limit ?? 20);
  }

  /** Experience entries with the given keys, e.g. for a briefing; empty list for none. */
  async experienceByKeys(keys: readonly string[]): Promise<ExperienceEntry[]> {
    if (keys.length === 0) return [];
    return (await this.db.select().from(experienceEntries).where(inArray(experienceEntries.key, [...keys]))).map(toExperience);
  }
}

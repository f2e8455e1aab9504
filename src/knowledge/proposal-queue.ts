// The proposal queue between the tiers: a draft entry offered to its developer after a resolved work item
// (yes / edit first / no), promotions of tier 2 experience and retirements of tier 1 entries, each reviewed
// by a curator. A curator's approval is the only way into the pattern library.
import { z } from 'zod';
import type { Database } from '../db/client.js';
import { experienceRow, markExperiencePromoted } from '../db/knowledge-experience.js';
import { insertPattern, patternRow, recordPatternVersion, updatePattern } from '../db/knowledge-patterns.js';
import {
  insertProposalOnce,
  moveProposal,
  proposalRow,
  proposalRowsInStatus,
  proposalRowsOf,
  type ProposalRow,
  type ProposalValues,
} from '../db/knowledge-proposals.js';
import { KnowledgeAccessError, type Curators } from './access.js';
import { toPattern, type Pattern } from './pattern-library.js';
import { Applicability, CodeRef } from './patterns.js';
import type { ApprovedEntry, WriteBackResult } from '../integrations/pattern-write-back.js';

/** Proposes an approved entry back to the target repository as a pull request (src/integrations/pattern-write-back.ts). */
export type WriteBack = (entry: ApprovedEntry) => Promise<WriteBackResult>;
/** What became of the write-back of an approval: the PR, or why it could not be opened (the approval stands). */
export type WriteBackOutcome = WriteBackResult | { outcome: 'failed'; error: string };

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

export class ProposalQueue {
  constructor(
    private readonly db: Database,
    private readonly curators: Curators,
    private readonly now: () => Date,
    private readonly writeBack?: WriteBack,
  ) {}

  /**
   * Proposes an approved or retired entry back to the repository's pattern library as a PR, once per entry
   * version. A failure is returned, not thrown: the curator's decision is already recorded, and the
   * scheduled scan tries again (proposeApprovedEntries).
   */
  private async proposeBack(proposal: Proposal, pattern: Pattern, note: string): Promise<WriteBackOutcome | undefined> {
    if (!this.writeBack) return undefined;
    try {
      return await this.writeBack({
        pattern,
        kind: proposal.kind,
        proposalId: proposal.id,
        proposer: proposal.developerId,
        reviewer: pattern.reviewer ?? proposal.reviewer ?? '',
        note,
        workItemKey: proposal.workItemKey,
      });
    } catch (err) {
      return { outcome: 'failed', error: err instanceof Error ? err.message : String(err) };
    }
  }

  /**
   * Every entry a curator approved here (not read from the repository) proposed back again: a PR already
   * open for its version is found, not duplicated, so this repairs write-backs that failed at approval.
   */
  async proposeApprovedEntries(): Promise<Array<{ patternId: string; version: number } & WriteBackOutcome>> {
    if (!this.writeBack) return [];
    // The latest approval of each entry: an older one was superseded by a newer version.
    const latest = new Map<string, Proposal>();
    for (const row of await proposalRowsInStatus(this.db, 'approved')) latest.set((row.draft as ProposalDraft).id, toProposal(row));
    const out: Array<{ patternId: string; version: number } & WriteBackOutcome> = [];
    for (const [id, proposal] of latest) {
      const pattern = await this.getPattern(id);
      if (!pattern) continue;
      const result = await this.proposeBack(proposal, pattern, proposal.reviewNote ?? '');
      if (result) out.push({ patternId: id, version: pattern.version, ...result });
    }
    return out;
  }

  /** After a resolved work item: a draft entry offered to its developer (yes / edit first / no). Idempotent per work item. */
  async proposeFromResolvedWorkItem(input: { workItemKey: string; developerId: string; draft: ProposalDraftInput }): Promise<Proposal> {
    const draft = ProposalDraft.parse(input.draft);
    return this.insertProposal({
      dedupeKey: `resolved:${input.workItemKey}`,
      kind: 'new-pattern',
      status: 'awaiting-developer',
      developerId: input.developerId,
      workItemKey: input.workItemKey,
      patternId: draft.id,
      draft,
    });
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
    const row = await moveProposal(this.db, id, 'awaiting-developer', {
      status,
      developerResponse: response,
      draft,
      patternId: draft.id,
      updatedAt: this.now(),
    });
    if (!row) throw new KnowledgeAccessError(`proposal ${id} was answered concurrently`);
    return toProposal(row);
  }

  /** Promotion of a tier 2 entry: a curator still has to approve the resulting pattern. */
  async proposePromotion(input: { experienceKey: string; proposerId: string; draft: ProposalDraftInput }): Promise<Proposal> {
    const source = await experienceRow(this.db, input.experienceKey);
    if (!source) throw new KnowledgeAccessError(`no experience entry "${input.experienceKey}"`);
    const draft = ProposalDraft.parse(input.draft);
    return this.insertProposal({
      dedupeKey: `promote:${input.experienceKey}:${draft.id}`,
      kind: 'promotion',
      status: 'in-review',
      developerId: input.proposerId,
      experienceKey: input.experienceKey,
      patternId: draft.id,
      draft,
    });
  }

  async proposeRetirement(input: { patternId: string; proposerId: string; reason: string }): Promise<Proposal> {
    const pattern = await this.getPattern(input.patternId);
    if (!pattern || pattern.state !== 'approved') throw new KnowledgeAccessError(`pattern "${input.patternId}" is not an approved entry`);
    const draft: ProposalDraft = {
      id: pattern.id,
      title: pattern.title,
      body: input.reason.length >= 20 ? input.reason : `Retire: ${input.reason} (${pattern.title})`,
      applicability: pattern.applicability,
      references: pattern.references,
      topics: pattern.topics,
    };
    return this.insertProposal({
      dedupeKey: `retire:${pattern.id}:${pattern.version}`,
      kind: 'retirement',
      status: 'in-review',
      developerId: input.proposerId,
      patternId: pattern.id,
      draft,
    });
  }

  private async insertProposal(values: ProposalValues): Promise<Proposal> {
    const now = this.now();
    return toProposal(await insertProposalOnce(this.db, { ...values, createdAt: now, updatedAt: now }));
  }

  async getProposal(id: number): Promise<Proposal | undefined> {
    const row = await proposalRow(this.db, id);
    return row ? toProposal(row) : undefined;
  }

  private async requireProposal(id: number): Promise<Proposal> {
    const p = await this.getProposal(id);
    if (!p) throw new KnowledgeAccessError(`no proposal ${id}`);
    return p;
  }

  private async getPattern(id: string): Promise<Pattern | undefined> {
    const row = await patternRow(this.db, id);
    return row ? toPattern(row) : undefined;
  }

  async reviewQueue(): Promise<Proposal[]> {
    return (await proposalRowsInStatus(this.db, 'in-review')).map(toProposal);
  }

  async proposalsAwaiting(developerId: string): Promise<Proposal[]> {
    return (await proposalRowsOf(this.db, developerId, 'awaiting-developer')).map(toProposal);
  }

  /**
   * A curator's decision. Approval is the only way into tier 1: a new entry or promotion becomes the next
   * approved version with the reviewer recorded; a retirement retires the entry. The proposer cannot
   * review their own proposal.
   */
  async reviewProposal(
    id: number,
    reviewerId: string,
    decision: 'approve' | 'reject',
    note = '',
    edited?: { title: string; body: string },
  ): Promise<{ proposal: Proposal; pattern?: Pattern; writeBack?: WriteBackOutcome }> {
    if (!this.curators.isCurator(reviewerId)) throw new KnowledgeAccessError(`${reviewerId} is not a knowledge curator (tech lead or team approver)`);
    const proposal = await this.requireProposal(id);
    if (proposal.status !== 'in-review') throw new KnowledgeAccessError(`proposal ${id} is ${proposal.status}, not in review`);
    if (proposal.developerId === reviewerId) throw new KnowledgeAccessError(`${reviewerId} proposed this entry and cannot also review it`);
    const now = this.now();
    const status: ProposalStatus = decision === 'approve' ? 'approved' : 'rejected';
    const row = await moveProposal(this.db, id, 'in-review', { status, reviewer: reviewerId, reviewNote: note, updatedAt: now });
    if (!row) throw new KnowledgeAccessError(`proposal ${id} was reviewed concurrently`);
    if (decision === 'reject') return { proposal: toProposal(row) };

    // A curator may approve with their own wording of the title and body (the Slack review's "Edit").
    const draft = edited ? { ...proposal.draft, title: edited.title, body: edited.body } : proposal.draft;
    const current = await this.getPattern(draft.id);
    if (proposal.kind === 'retirement') {
      if (!current) throw new KnowledgeAccessError(`pattern "${draft.id}" no longer exists`);
      await updatePattern(this.db, draft.id, { state: 'retired', reviewer: reviewerId, updatedAt: now });
      await recordPatternVersion(this.db, draft.id, { ...current, state: 'retired', reviewer: reviewerId }, this.now());
      const retired = (await this.getPattern(draft.id))!;
      const writeBack = await this.proposeBack(toProposal(row), retired, note);
      return { proposal: toProposal(row), pattern: retired, ...(writeBack ? { writeBack } : {}) };
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
    if (current) await updatePattern(this.db, draft.id, values);
    else await insertPattern(this.db, draft.id, { ...values, sourcePath: null });
    await recordPatternVersion(this.db, draft.id, { ...values, reviewer: reviewerId }, this.now());
    if (proposal.experienceKey) await markExperiencePromoted(this.db, proposal.experienceKey, draft.id);
    const approved = (await this.getPattern(draft.id))!;
    const writeBack = await this.proposeBack(toProposal(row), approved, note);
    return { proposal: toProposal(row), pattern: approved, ...(writeBack ? { writeBack } : {}) };
  }
}

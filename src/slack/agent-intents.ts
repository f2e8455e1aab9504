// What the agent surface records through the Slack inbox (inbox.ts) before it acknowledges, and how each is
// applied: feedback on an answer (for calibration, once per tap whatever Slack retries) and a curator's review
// of a knowledge proposal from their DM. Applying is idempotent by the row's key, like every inbox intent.
import { z } from 'zod';
import type { App } from '@slack/bolt';
import type { Database } from '../db/client.js';
import { appendDecision } from '../db/work-items.js';
import { settleIntent, type SlackIntentRow } from '../db/slack-intents.js';
import type { Logger } from '../observability/logger.js';
import type { Block } from './blocks/kit.js';
import { curationDone } from './blocks/agent.js';

const Reply = z.object({ user: z.string(), channel: z.string().optional() });
const MessageRef = z.object({ channel: z.string(), ts: z.string(), threadTs: z.string().optional() });

/** 👍 or 👎 on an answer: which answer (its message and the question's thread) and the rating. */
export const FeedbackIntent = z.object({ kind: z.literal('feedback'), rating: z.enum(['helpful', 'not-helpful']), answer: MessageRef, reply: Reply });
export type FeedbackIntent = z.infer<typeof FeedbackIntent>;

/** Approve, reject or edit-then-approve a knowledge proposal from the curator's DM. */
export const CurationIntent = z.object({
  kind: z.literal('curation'),
  proposalId: z.number().int().positive(),
  decision: z.enum(['approve', 'reject']),
  note: z.string().max(2_000).optional(),
  edited: z.object({ title: z.string().min(1).max(200), body: z.string().min(1).max(3_000) }).optional(),
  prompt: z.object({ channel: z.string(), ts: z.string() }).optional(),
  reply: Reply,
});
export type CurationIntent = z.infer<typeof CurationIntent>;

export type AgentSurfaceIntent = FeedbackIntent | CurationIntent;

/** The knowledge store's review, as the curator DM needs it. */
export interface CurationPort {
  isCurator(developerId: string): boolean;
  reviewProposal(
    id: number,
    reviewerId: string,
    decision: 'approve' | 'reject',
    note?: string,
    edited?: { title: string; body: string },
  ): Promise<{
    proposal: { id: number; workItemKey: string | null; patternId: string | null; draft: { id: string; title: string } };
    pattern?: { version: number };
  }>;
}

export interface AgentIntentDeps {
  db: Database;
  client: App['client'];
  logger: Logger;
  curation?: CurationPort;
  tell(reply: { user: string; channel?: string | undefined }, text: string): Promise<void>;
}

/** Applies one recorded agent-surface intent for the developer who made it; settles its row. */
export async function applyAgentSurfaceIntent(deps: AgentIntentDeps, row: SlackIntentRow, intent: AgentSurfaceIntent, actor: string): Promise<void> {
  if (intent.kind === 'feedback') {
    // The audit log's unique key is the tap's key: a double tap or a replay leaves one row.
    const { inserted } = await appendDecision(deps.db, {
      idempotencyKey: row.idempotencyKey,
      workItemKey: null,
      phaseId: null,
      kind: 'answer-feedback',
      actor,
      surface: 'slack-button',
      detail: {
        rating: intent.rating,
        channel: intent.answer.channel,
        answerTs: intent.answer.ts,
        ...(intent.answer.threadTs ? { questionTs: intent.answer.threadTs } : {}),
      },
    });
    await settleIntent(deps.db, row.id, 'applied', `${intent.rating}${inserted ? '' : ' (already recorded)'}`);
    return;
  }
  if (!deps.curation) {
    await settleIntent(deps.db, row.id, 'refused', 'curation is not available in this process');
    await deps.tell(intent.reply, 'Reviewing knowledge from Slack is not available in this deployment; use the dashboard.');
    return;
  }
  if (!deps.curation.isCurator(actor)) {
    await settleIntent(deps.db, row.id, 'refused', `${actor} is not a curator`);
    await deps.tell(intent.reply, 'Only the tech lead or a team approver can review knowledge proposals.');
    return;
  }
  let outcome: string;
  try {
    const { proposal, pattern } = await deps.curation.reviewProposal(intent.proposalId, actor, intent.decision, intent.note ?? '', intent.edited);
    await appendDecision(deps.db, {
      idempotencyKey: `slack:knowledge-review:${intent.proposalId}`,
      workItemKey: proposal.workItemKey,
      phaseId: null,
      kind: intent.decision === 'approve' ? 'approve-knowledge' : 'reject-knowledge',
      actor,
      surface: intent.edited ? 'slack-modal' : 'slack-button',
      detail: {
        proposalId: intent.proposalId,
        patternId: proposal.patternId,
        note: intent.note ?? '',
        ...(intent.edited ? { edited: true } : {}),
        ...(pattern ? { version: pattern.version } : {}),
      },
    });
    outcome =
      intent.decision === 'approve'
        ? `Approved by you${intent.edited ? ' with edits' : ''}: "${proposal.draft.title}" is pattern ${proposal.draft.id} v${pattern?.version ?? ''}.`
        : `Rejected by you: "${proposal.draft.title}".`;
    await settleIntent(deps.db, row.id, 'applied', outcome);
  } catch (err) {
    // The store refuses what cannot be reviewed (already reviewed, own proposal): a refusal to tell, not a retry.
    if (!(err instanceof Error) || err.name !== 'KnowledgeAccessError') throw err;
    await settleIntent(deps.db, row.id, 'refused', err.message);
    outcome = `Not reviewed: ${err.message}`;
  }
  if (intent.prompt) {
    try {
      const history = await deps.client.conversations.history({ channel: intent.prompt.channel, latest: intent.prompt.ts, inclusive: true, limit: 1 });
      const message = history.messages?.find((m) => m.ts === intent.prompt!.ts);
      const updated = curationDone({ text: message?.text ?? '', blocks: (message?.blocks ?? []) as Block[] }, outcome);
      await deps.client.chat.update({ channel: intent.prompt.channel, ts: intent.prompt.ts, text: updated.text, blocks: updated.blocks as never });
      return;
    } catch (err) {
      deps.logger.warn({ err: String(err), proposalId: intent.proposalId }, 'review recorded; updating the DM failed');
    }
  }
  await deps.tell(intent.reply, outcome);
}

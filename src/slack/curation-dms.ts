// Every knowledge proposal in review reaches each curator (the tech lead and the team's approvers, as the
// knowledge store decides) as a DM with Approve, Edit and Reject. Sent once per proposal and curator: the
// claim is an idempotency key in the same unique index as Slack's deliveries, taken before the post and given
// back if the post fails, so a restart or a second Slack process never sends it twice.
import type { App } from '@slack/bolt';
import { eq } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { processedSlackEvents } from '../db/schema/core.js';
import type { Logger } from '../observability/logger.js';
import { curationMessage } from './blocks/agent.js';
import { errorText } from './listeners/reply.js';
import { createPoller, type Poller } from './poller.js';

export interface ReviewQueuePort {
  isCurator(developerId: string): boolean;
  reviewQueue(): Promise<
    Array<{
      id: number;
      kind: string;
      developerId: string;
      workItemKey: string | null;
      draft: { title: string; body: string; applicability: { files: string[] } };
    }>
  >;
}

export interface CurationDmDeps {
  db: Database;
  client: App['client'];
  logger: Logger;
  knowledge: ReviewQueuePort;
  /** Everyone on the roster with their Slack id, read each pass so a new curator is reached without a restart. */
  roster(): Promise<Array<{ id: string; displayName: string; slackUserId: string | null }>>;
}

export function createCurationDms(deps: CurationDmDeps): Poller {
  const { db, client, logger } = deps;

  async function claim(key: string): Promise<boolean> {
    const rows = await db
      .insert(processedSlackEvents)
      .values({ idempotencyKey: key, kind: 'curation_dm' })
      .onConflictDoNothing({ target: processedSlackEvents.idempotencyKey })
      .returning({ key: processedSlackEvents.idempotencyKey });
    return rows.length > 0;
  }

  /** Sends what is not sent yet; returns how many DMs went out. */
  async function passOnce(): Promise<number> {
    const queue = await deps.knowledge.reviewQueue();
    if (queue.length === 0) return 0;
    const roster = await deps.roster();
    const names = new Map(roster.map((d) => [d.id, d.displayName]));
    const curators = roster.filter((d) => d.slackUserId && deps.knowledge.isCurator(d.id));
    let sent = 0;
    for (const proposal of queue) {
      for (const curator of curators) {
        if (curator.id === proposal.developerId) continue; // nobody reviews their own proposal
        const key = `slack:curation-dm:${proposal.id}:${curator.id}`;
        if (!(await claim(key))) continue;
        try {
          const dm = (await client.conversations.open({ users: curator.slackUserId! })).channel?.id;
          if (!dm) throw new Error('conversations.open returned no channel');
          const message = curationMessage({
            id: proposal.id,
            kind: proposal.kind,
            title: proposal.draft.title,
            body: proposal.draft.body,
            proposerName: names.get(proposal.developerId) ?? proposal.developerId,
            workItemKey: proposal.workItemKey,
            files: proposal.draft.applicability.files,
          });
          await client.chat.postMessage({ channel: dm, text: message.text, blocks: message.blocks as never, unfurl_links: false });
          sent++;
        } catch (err) {
          await db.delete(processedSlackEvents).where(eq(processedSlackEvents.idempotencyKey, key));
          logger.warn({ err: errorText(err), proposalId: proposal.id, curator: curator.id }, 'could not send a review DM; trying again next pass');
        }
      }
    }
    return sent;
  }

  // Each pass reads the queue afresh; a failed one is tried again at the next tick.
  return createPoller(passOnce, { logger, failure: 'the review queue could not be read; trying again' });
}

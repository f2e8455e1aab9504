// Modal submissions: a rejection with its reason, an edited knowledge entry. Validated and acknowledged
// first (errors keep the modal open), recorded once by view id, then decided and the original prompt
// updated in place.
import type { App, ViewSubmitAction } from '@slack/bolt';
import { z } from 'zod';
import { DecisionTemplate, toRequest } from '../../blocks/decision-value.js';
import type { Block } from '../../blocks/kit.js';
import { renderDecided } from '../../blocks/notifications.js';
import { claimOnce, releaseClaim, type SlackDeps } from '../../deps.js';
import { CallbackIds, InputIds } from '../../ids.js';
import { errorText, tellPrivately } from '../reply.js';

const Metadata = z.object({ d: DecisionTemplate, p: z.object({ channel: z.string(), ts: z.string() }).optional() });

function inputValue(body: ViewSubmitAction, blockId: string, actionId: string): string {
  return (body.view.state.values[blockId]?.[actionId]?.value ?? '').trim();
}

export function registerViewSubmissions(app: App, deps: SlackDeps): void {
  const submit = async (body: ViewSubmitAction, client: App['client'], extra: { reason?: string; text?: string }) => {
    let metadata: z.infer<typeof Metadata>;
    try {
      metadata = Metadata.parse(JSON.parse(body.view.private_metadata));
    } catch {
      await tellPrivately(client, deps.logger, { user: body.user.id, text: 'That form is out of date; open the prompt again.' });
      return;
    }
    const developer = await deps.directory.forSlackUser(body.user.id);
    if (!developer) {
      await tellPrivately(client, deps.logger, { user: body.user.id, channel: metadata.p?.channel, text: 'You are not on this team’s roster, so you cannot make this decision.' });
      return;
    }
    const key = `slack:view_submission:${body.view.id}:${body.user.id}`;
    if (!(await claimOnce(deps.db, key, 'view_submission'))) return;
    try {
      const result = await deps.orchestrator.decide(toRequest(metadata.d, { actor: developer.id, surface: 'slack-modal', idempotencyKey: key, ...extra }));
      if (result.outcome === 'refused') {
        await releaseClaim(deps.db, key);
        await tellPrivately(client, deps.logger, { user: body.user.id, channel: metadata.p?.channel, text: `Not applied: ${result.reason}` });
        return;
      }
      if (metadata.p) {
        const history = await client.conversations.history({ channel: metadata.p.channel, latest: metadata.p.ts, inclusive: true, limit: 1 });
        const original = history.messages?.find((m) => m.ts === metadata.p!.ts);
        const updated = renderDecided({ text: original?.text ?? '', blocks: (original?.blocks ?? []) as Block[] }, result, deps.render);
        await client.chat.update({ channel: metadata.p.channel, ts: metadata.p.ts, text: updated.text, blocks: updated.blocks as never });
      }
    } catch (err) {
      await releaseClaim(deps.db, key);
      await tellPrivately(client, deps.logger, { user: body.user.id, channel: metadata.p?.channel, text: `Could not record that (${errorText(err)}). Nothing changed; try again.` });
    }
  };

  app.view<ViewSubmitAction>(CallbackIds.rejectReasonModal, async ({ ack, body, client }) => {
    const reason = inputValue(body, InputIds.reasonBlock, InputIds.reasonAction);
    if (reason.length < 3) {
      await ack({ response_action: 'errors', errors: { [InputIds.reasonBlock]: 'Say what is wrong, so the agent can act on it.' } });
      return;
    }
    await ack();
    await submit(body, client, { reason });
  });

  app.view<ViewSubmitAction>(CallbackIds.knowledgeEditModal, async ({ ack, body, client }) => {
    const title = inputValue(body, InputIds.knowledgeTitleBlock, InputIds.knowledgeTitleAction);
    const text = inputValue(body, InputIds.knowledgeBodyBlock, InputIds.knowledgeBodyAction);
    if (!title || !text) {
      await ack({ response_action: 'errors', errors: { [title ? InputIds.knowledgeBodyBlock : InputIds.knowledgeTitleBlock]: 'Required.' } });
      return;
    }
    await ack();
    await submit(body, client, { text: `${title}\n\n${text}` });
  });
}

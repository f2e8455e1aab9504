// What both decision modals do once their input is valid and acknowledged: the decision travels in the
// modal's private metadata, the submission is claimed once by view id, the orchestrator decides, and the
// prompt the modal was opened from is updated in place.
import type { App, Context, ViewSubmitAction } from '@slack/bolt';
import { z } from 'zod';
import { DecisionTemplate, toRequest } from '../../blocks/decision-value.js';
import type { Block } from '../../blocks/kit.js';
import { renderDecided } from '../../blocks/notifications.js';
import type { SlackDeps } from '../../deps.js';
import { triggerOf } from '../../trigger.js';
import { errorText, tellPrivately } from '../reply.js';

const Metadata = z.object({ d: DecisionTemplate, p: z.object({ channel: z.string(), ts: z.string() }).optional() });

export function inputValue(body: ViewSubmitAction, blockId: string, actionId: string): string {
  return (body.view.state.values[blockId]?.[actionId]?.value ?? '').trim();
}

export async function decideFromModal(deps: SlackDeps, context: Context, body: ViewSubmitAction, client: App['client'], extra: { reason?: string; text?: string }): Promise<void> {
  let metadata: z.infer<typeof Metadata>;
  try {
    metadata = Metadata.parse(JSON.parse(body.view.private_metadata));
  } catch {
    await tellPrivately(client, deps.logger, { user: body.user.id, text: 'That form is out of date; open the prompt again.' });
    return;
  }
  const trigger = triggerOf(context);
  const developer = await trigger.developer();
  if (!developer) {
    await tellPrivately(client, deps.logger, { user: body.user.id, channel: metadata.p?.channel, text: 'You are not on this team’s roster, so you cannot make this decision.' });
    return;
  }
  const key = trigger.key!;
  if (!(await trigger.claim())) return;
  try {
    const result = await deps.orchestrator.decide(toRequest(metadata.d, { actor: developer.id, surface: 'slack-modal', idempotencyKey: key, ...extra }));
    if (result.outcome === 'refused') {
      await trigger.release();
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
    await trigger.release();
    await tellPrivately(client, deps.logger, { user: body.user.id, channel: metadata.p?.channel, text: `Could not record that (${errorText(err)}). Nothing changed; try again.` });
  }
}

// What both decision modals do once their input is valid: the decision travels in the modal's private
// metadata; it is written to the Slack inbox under the submission's key before the modal is acknowledged
// (closed), and the inbox applies it and updates the prompt the modal was opened from.
import type { AckFn, App, Context, ViewResponseAction, ViewSubmitAction } from '@slack/bolt';
import { z } from 'zod';
import { DecisionTemplate } from '../../blocks/decision-value.js';
import type { SlackDeps } from '../../deps.js';
import type { DecisionIntent } from '../../inbox.js';
import { triggerOf } from '../../trigger.js';
import { errorText, tellPrivately } from '../reply.js';

const Metadata = z.object({ d: DecisionTemplate, p: z.object({ channel: z.string(), ts: z.string() }).optional() });

export function inputValue(body: ViewSubmitAction, blockId: string, actionId: string): string {
  return (body.view.state.values[blockId]?.[actionId]?.value ?? '').trim();
}

/** Records the modal's decision, then acknowledges the submission; every path acknowledges exactly once. */
export async function decideFromModal(
  deps: SlackDeps,
  context: Context,
  body: ViewSubmitAction,
  ack: AckFn<ViewResponseAction>,
  client: App['client'],
  extra: { reason?: string; text?: string },
): Promise<void> {
  const tell = (channel: string | undefined, text: string) => deps.afterAck(() => tellPrivately(client, deps.logger, { user: body.user.id, channel, text }));
  let metadata: z.infer<typeof Metadata>;
  try {
    metadata = Metadata.parse(JSON.parse(body.view.private_metadata));
  } catch {
    await ack();
    return tell(undefined, 'That form is out of date; open the prompt again.');
  }
  const channel = metadata.p?.channel;
  const trigger = triggerOf(context);
  const intent: DecisionIntent = {
    kind: 'decision',
    decision: metadata.d,
    surface: 'slack-modal',
    ...extra,
    reply: { user: body.user.id, ...(channel ? { channel } : {}), ...(metadata.p ? { prompt: metadata.p } : {}) },
  };
  let id: number | undefined;
  try {
    id = await deps.inbox.record(trigger.key!, body.user.id, intent);
  } catch (err) {
    await ack();
    deps.logger.error({ err: errorText(err), key: trigger.key }, 'could not record a modal decision');
    return tell(channel, `Could not record that (${errorText(err)}). Nothing changed; try again.`);
  }
  await ack();
  if (id !== undefined) deps.afterAck(() => deps.inbox.apply(id));
}

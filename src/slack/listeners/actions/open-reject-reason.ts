// "Reject with reason" on a gate opens a modal. views.open must happen within 3 s of the tap (the trigger id
// expires: https://api.slack.com/interactivity/handling#modal_responses), so nothing slow runs before it.
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { decodeDecision } from '../../blocks/decision-value.js';
import { rejectReasonModal } from '../../blocks/views.js';
import type { SlackDeps } from '../../deps.js';
import { ActionIds } from '../../ids.js';
import { errorText, tellPrivately } from '../reply.js';
import { promptOf } from './prompt.js';

export function registerRejectReasonOpener(app: App, deps: SlackDeps): void {
  app.action<BlockAction<ButtonAction>>(ActionIds.openRejectReason, async ({ ack, body, action, client }) => {
    await ack();
    const template = decodeDecision(action.value);
    if (!template) return;
    try {
      await client.views.open({ trigger_id: body.trigger_id, view: rejectReasonModal(template, promptOf(body)) as never });
    } catch (err) {
      await tellPrivately(client, deps.logger, {
        user: body.user.id,
        channel: promptOf(body)?.channel,
        text: `Could not open the rejection form (${errorText(err)}).`,
      });
    }
  });
}

// 👍 / 👎 under an answer: recorded for calibration through the Slack inbox before the acknowledgement, keyed
// by the tap, so Slack's retry or a double tap records it once.
import type { App, BlockAction } from '@slack/bolt';
import { feedbackValues } from '../../blocks/agent.js';
import type { SlackDeps } from '../../deps.js';
import { ActionIds } from '../../ids.js';
import { triggerOf } from '../../trigger.js';
import { errorText, tellPrivately } from '../reply.js';

export function registerAnswerFeedback(app: App, deps: SlackDeps): void {
  app.action<BlockAction>(ActionIds.answerFeedback, async ({ ack, body, action, client, context }) => {
    const value = (action as { value?: string }).value;
    const channel = body.container?.channel_id ?? body.channel?.id;
    const ts = body.container?.message_ts ?? body.message?.ts;
    const rating = value === feedbackValues.positive ? 'helpful' : value === feedbackValues.negative ? 'not-helpful' : undefined;
    if (!rating || !channel || !ts) {
      await ack();
      return;
    }
    const threadTs = (body.container as { thread_ts?: string } | undefined)?.thread_ts ?? (body.message as { thread_ts?: string } | undefined)?.thread_ts;
    let id: number | undefined;
    try {
      id = await deps.inbox.record(triggerOf(context).key!, body.user.id, {
        kind: 'feedback',
        rating,
        answer: { channel, ts, ...(threadTs ? { threadTs } : {}) },
        reply: { user: body.user.id, channel },
      });
    } catch (err) {
      await ack();
      deps.logger.error({ err: errorText(err) }, 'answer feedback could not be recorded');
      await tellPrivately(client, deps.logger, { user: body.user.id, channel, text: 'Your feedback could not be recorded; try again.' });
      return;
    }
    await ack();
    if (id !== undefined) deps.afterAck(() => deps.inbox.apply(id));
  });
}

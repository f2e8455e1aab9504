// "Edit first" on a knowledge proposal opens a modal with the proposal's title and body. views.open must
// happen within 3 s of the tap (the trigger id expires:
// https://api.slack.com/interactivity/handling#modal_responses), so nothing slow runs before it.
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { decodeDecision } from '../../blocks/decision-value.js';
import { knowledgeEditModal } from '../../blocks/views.js';
import type { SlackDeps } from '../../deps.js';
import { ActionIds } from '../../ids.js';
import { errorText, tellPrivately } from '../reply.js';
import { promptOf } from './prompt.js';

const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The proposal's title and body as the prompt showed them (`*title*\nbody` in the first section). */
export function proposalFromMessage(blocks: unknown[]): { title: string; body: string } {
  for (const b of blocks as Array<{ type?: string; text?: { text?: string } }>) {
    if (b.type !== 'section' || !b.text?.text) continue;
    const match = /^\*(.+?)\*\n?([\s\S]*)$/.exec(b.text.text);
    if (match) return { title: unescape(match[1]!), body: unescape(match[2]!.replace(/\n<[^>]+\|full text>$/, '')) };
  }
  return { title: '', body: '' };
}

export function registerKnowledgeEditOpener(app: App, deps: SlackDeps): void {
  app.action<BlockAction<ButtonAction>>(ActionIds.openKnowledgeEdit, async ({ ack, body, action, client }) => {
    await ack();
    const template = decodeDecision(action.value);
    if (!template) return;
    const proposal = proposalFromMessage((body.message?.blocks as unknown[] | undefined) ?? []);
    try {
      await client.views.open({ trigger_id: body.trigger_id, view: knowledgeEditModal(template, proposal, promptOf(body)) as never });
    } catch (err) {
      await tellPrivately(client, deps.logger, {
        user: body.user.id,
        channel: promptOf(body)?.channel,
        text: `Could not open the editor (${errorText(err)}).`,
      });
    }
  });
}

// A curator's review of a knowledge proposal from their DM: Approve and Reject are recorded through the Slack
// inbox before the acknowledgement; Edit opens a modal with the proposal's title and body (views.open within
// the trigger's 3 s, https://docs.slack.dev/interactivity/handling-user-interaction) whose submission approves
// the edited wording. Who may review is checked when the inbox applies it, by the knowledge store.
import type { App, BlockAction, ButtonAction, ViewSubmitAction } from '@slack/bolt';
import { z } from 'zod';
import { modal, textInput } from '../../blocks/kit.js';
import type { SlackDeps } from '../../deps.js';
import { ActionIds, CallbackIds, InputIds } from '../../ids.js';
import { triggerOf } from '../../trigger.js';
import { errorText, tellPrivately } from '../reply.js';
import { inputValue } from '../views/decide-from-modal.js';
import { promptOf } from '../actions/prompt.js';

const EditMetadata = z.object({ proposalId: z.number().int().positive(), prompt: z.object({ channel: z.string(), ts: z.string() }).optional() });

export function registerCuration(app: App, deps: SlackDeps): void {
  for (const [actionId, decision] of [
    [ActionIds.curateApprove, 'approve'],
    [ActionIds.curateReject, 'reject'],
  ] as const) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action, client, context }) => {
      const proposalId = Number(action.value);
      const prompt = promptOf(body);
      if (!Number.isSafeInteger(proposalId) || proposalId < 1) return void (await ack());
      let id: number | undefined;
      try {
        id = await deps.inbox.record(triggerOf(context).key!, body.user.id, {
          kind: 'curation',
          proposalId,
          decision,
          ...(prompt ? { prompt } : {}),
          reply: { user: body.user.id, ...(prompt ? { channel: prompt.channel } : {}) },
        });
      } catch (err) {
        await ack();
        deps.logger.error({ err: errorText(err), proposalId }, 'a review could not be recorded');
        await tellPrivately(client, deps.logger, {
          user: body.user.id,
          channel: prompt?.channel,
          text: `That review could not be recorded (${errorText(err)}); nothing changed. Try again.`,
        });
        return;
      }
      await ack();
      if (id !== undefined) deps.afterAck(() => deps.inbox.apply(id));
    });
  }

  app.action<BlockAction<ButtonAction>>(ActionIds.curateEdit, async ({ ack, body, action, client }) => {
    await ack();
    const proposalId = Number(action.value);
    const prompt = promptOf(body);
    try {
      const proposal = Number.isSafeInteger(proposalId) ? await deps.agent.proposal?.(proposalId) : undefined;
      if (!proposal) throw new Error(`proposal ${action.value} is not available here`);
      const view = modal({
        callbackId: CallbackIds.curateEditModal,
        title: 'Edit, then approve',
        submit: 'Approve',
        close: 'Cancel',
        privateMetadata: JSON.stringify({ proposalId, ...(prompt ? { prompt } : {}) }),
        blocks: [
          textInput({
            blockId: InputIds.curateTitleBlock,
            actionId: InputIds.curateTitleAction,
            label: 'Title',
            initialValue: proposal.title.slice(0, 150),
            maxLength: 150,
          }),
          textInput({
            blockId: InputIds.curateBodyBlock,
            actionId: InputIds.curateBodyAction,
            label: 'Entry',
            multiline: true,
            initialValue: proposal.body.slice(0, 3_000),
            maxLength: 3_000,
            hint: 'Curated entries outrank learned experience; keep it specific and checkable.',
          }),
        ],
      });
      await client.views.open({ trigger_id: body.trigger_id, view: view as never });
    } catch (err) {
      await tellPrivately(client, deps.logger, { user: body.user.id, channel: prompt?.channel, text: `Could not open the editor (${errorText(err)}).` });
    }
  });

  app.view<ViewSubmitAction>(CallbackIds.curateEditModal, async ({ ack, body, context }) => {
    const title = inputValue(body, InputIds.curateTitleBlock, InputIds.curateTitleAction);
    const text = inputValue(body, InputIds.curateBodyBlock, InputIds.curateBodyAction);
    if (!title || !text)
      return void (await ack({ response_action: 'errors', errors: { [title ? InputIds.curateBodyBlock : InputIds.curateTitleBlock]: 'Required.' } }));
    const parsed = EditMetadata.safeParse(
      (() => {
        try {
          return JSON.parse(body.view.private_metadata) as unknown;
        } catch {
          return undefined;
        }
      })(),
    );
    if (!parsed.success)
      return void (await ack({
        response_action: 'errors',
        errors: { [InputIds.curateTitleBlock]: 'This editor lost track of its proposal; close it and tap Edit again.' },
      }));
    let id: number | undefined;
    try {
      const { proposalId, prompt } = parsed.data;
      id = await deps.inbox.record(triggerOf(context).key!, body.user.id, {
        kind: 'curation',
        proposalId,
        decision: 'approve',
        edited: { title, body: text },
        ...(prompt ? { prompt } : {}),
        reply: { user: body.user.id, ...(prompt ? { channel: prompt.channel } : {}) },
      });
    } catch (err) {
      return void (await ack({ response_action: 'errors', errors: { [InputIds.curateTitleBlock]: `Could not record it (${errorText(err)}); try again.` } }));
    }
    await ack();
    if (id !== undefined) deps.afterAck(() => deps.inbox.apply(id));
  });
}

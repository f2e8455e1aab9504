// The plan edit modal's submission. What can be checked from the form alone (a title, at least one file, known
// phase ids after "after") is answered in the ack, keeping the modal open with the error
// (https://api.slack.com/surfaces/modals#displaying_errors). Then the edited plan goes to the work item as an
// update, whose validator checks the rest; the gate it was opened from shows the new plan in place.
import type { App, ViewSubmitAction } from '@slack/bolt';
import { z } from 'zod';
import type { Block } from '../../blocks/kit.js';
import { formatWhen } from '../../blocks/notifications.js';
import { phaseDependsBlock, phaseFilesBlock, phaseTitleBlock, renderControlled } from '../../blocks/plan-control.js';
import type { SlackDeps } from '../../deps.js';
import { CallbackIds, InputIds } from '../../ids.js';
import { triggerOf } from '../../trigger.js';
import { errorText, tellPrivately } from '../reply.js';
import { inputValue } from './decide-from-modal.js';

const Metadata = z.object({
  key: z.string().min(1),
  version: z.number().int(),
  phases: z.array(z.string()).min(1),
  prompt: z.object({ channel: z.string(), ts: z.string() }).optional(),
});

interface PhaseEdit {
  title: string;
  files: string[];
  dependsOn: string[];
}

/** The form's edits per phase id, or the errors to show by block id. */
export function readPlanEdits(
  values: (blockId: string, actionId: string) => string,
  phaseIds: string[],
): { edits: Map<string, PhaseEdit>; errors: Record<string, string> } {
  const edits = new Map<string, PhaseEdit>();
  const errors: Record<string, string> = {};
  phaseIds.forEach((id, i) => {
    const title = values(phaseTitleBlock(i), 'title');
    const files = values(phaseFilesBlock(i), 'files')
      .split('\n')
      .map((f) => f.trim())
      .filter(Boolean);
    const dependsOn = values(phaseDependsBlock(i), 'depends')
      .split(/[,\s]+/)
      .map((d) => d.trim())
      .filter(Boolean);
    if (title.length < 3) errors[phaseTitleBlock(i)] = 'Give the phase a title.';
    if (files.length === 0) errors[phaseFilesBlock(i)] = 'List at least one file the phase changes.';
    const unknown = dependsOn.filter((d) => !phaseIds.includes(d) || d === id);
    if (unknown.length) errors[phaseDependsBlock(i)] = `Not another phase of this plan: ${unknown.join(', ')}. Phases: ${phaseIds.join(', ')}.`;
    edits.set(id, { title, files, dependsOn });
  });
  return { edits, errors };
}

export function registerPlanEditSubmission(app: App, deps: SlackDeps): void {
  app.view<ViewSubmitAction>(CallbackIds.planEditModal, async ({ ack, body, client, context }) => {
    const parsed = Metadata.safeParse(
      (() => {
        try {
          return JSON.parse(body.view.private_metadata || 'null') as unknown;
        } catch {
          return null;
        }
      })(),
    );
    if (!parsed.success) return void (await ack()); // the loading or "cannot be edited" view: nothing to save
    const metadata = parsed.data;
    const values = (blockId: string, actionId: string) => inputValue(body, blockId, actionId);
    const { edits, errors } = readPlanEdits(values, metadata.phases);
    const note = values(InputIds.planNoteBlock, InputIds.planNoteAction);
    if (note.length < 3) errors[InputIds.planNoteBlock] = 'Say what changed, so approvers and RH-A know.';
    if (Object.keys(errors).length > 0) return void (await ack({ response_action: 'errors', errors }));
    await ack();

    const trigger = triggerOf(context);
    const developer = await trigger.developer();
    const channel = metadata.prompt?.channel;
    if (!developer)
      return void (await tellPrivately(client, deps.logger, {
        user: body.user.id,
        channel,
        text: 'You are not on this team’s roster, so you cannot edit this plan.',
      }));
    if (!(await trigger.claim())) return;
    try {
      const item = await deps.orchestrator.workItem?.(metadata.key);
      if (!item?.plan) throw new Error(`${metadata.key} has no plan to edit`);
      if (item.planVersion !== metadata.version) {
        await trigger.release();
        return void (await tellPrivately(client, deps.logger, {
          user: body.user.id,
          channel,
          text: `Not saved: the plan of ${metadata.key} changed to v${item.planVersion} while you edited v${metadata.version}. Open "Edit plan" again.`,
        }));
      }
      const plan = { ...item.plan, phases: item.plan.phases.map((p) => ({ ...p, ...(edits.get(p.id) ?? {}) })) };
      const result = await deps.orchestrator.decide({
        workItemKey: metadata.key,
        kind: 'edit-plan',
        plan,
        reason: note,
        actor: developer.id,
        surface: 'slack-modal',
        idempotencyKey: trigger.key!,
      });
      if (result.outcome === 'refused') {
        await trigger.release();
        return void (await tellPrivately(client, deps.logger, { user: body.user.id, channel, text: `Not saved: ${result.reason}` }));
      }
      if (metadata.prompt) {
        const history = await client.conversations.history({ channel: metadata.prompt.channel, latest: metadata.prompt.ts, inclusive: true, limit: 1 });
        const original = history.messages?.find((m) => m.ts === metadata.prompt!.ts);
        if (original) {
          const updated = renderControlled(
            { text: original.text ?? '', blocks: (original.blocks ?? []) as Block[] },
            result,
            await deps.orchestrator.workItem?.(metadata.key),
            deps.render,
            formatWhen,
          );
          await client.chat.update({ channel: metadata.prompt.channel, ts: metadata.prompt.ts, text: updated.text, blocks: updated.blocks as never });
        }
      }
    } catch (err) {
      await trigger.release();
      await tellPrivately(client, deps.logger, {
        user: body.user.id,
        channel,
        text: `Could not save the plan (${errorText(err)}). Nothing changed; try again.`,
      });
    }
  });
}

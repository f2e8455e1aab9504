// "Edit plan" on a plan gate opens a modal with the plan as a form. views.open must happen within 3 s of the
// tap (the trigger id expires: https://api.slack.com/interactivity/handling#modal_responses), so a loading view
// opens first and the form replaces it (views.update) once the plan is read from the work item.
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { decodeDecision } from '../../blocks/decision-value.js';
import { planEditLoadingModal, planEditModal, planEditUnavailableModal } from '../../blocks/plan-control.js';
import type { SlackDeps } from '../../deps.js';
import { ActionIds } from '../../ids.js';
import { errorText, tellPrivately } from '../reply.js';
import { promptOf } from './prompt.js';

export function registerPlanEditOpener(app: App, deps: SlackDeps): void {
  app.action<BlockAction<ButtonAction>>(ActionIds.openPlanEdit, async ({ ack, body, action, client }) => {
    await ack();
    const template = decodeDecision(action.value);
    if (!template) return;
    const prompt = promptOf(body);
    try {
      const opened = await client.views.open({ trigger_id: body.trigger_id, view: planEditLoadingModal(template.workItemKey) as never });
      const viewId = opened.view?.id;
      if (!viewId) return;
      const item = deps.orchestrator.workItem ? await deps.orchestrator.workItem(template.workItemKey) : undefined;
      const view = !deps.orchestrator.workItem
        ? planEditUnavailableModal(template.workItemKey, 'plan edits are not available here')
        : !item?.plan
          ? planEditUnavailableModal(template.workItemKey, 'there is no such work item, or it has no plan yet')
          : item.status !== 'awaiting-plan-approval'
            ? planEditUnavailableModal(template.workItemKey, `a plan can be edited only before it is approved (it is ${item.status})`)
            : planEditModal(item, prompt);
      await client.views.update({ view_id: viewId, view: view as never });
    } catch (err) {
      await tellPrivately(client, deps.logger, { user: body.user.id, channel: prompt?.channel, text: `Could not open the plan editor (${errorText(err)}).` });
    }
  });
}

// A button no listener owns (a message from an older release, or a crafted payload) is acknowledged and
// explained, instead of Bolt leaving it unanswered until Slack shows the person a timeout.
import type { App } from '@slack/bolt';
import { redactSecrets } from '../../../observability/logger.js';
import type { SlackDeps } from '../../deps.js';
import { ActionIds, decisionActionPattern, linkActionPattern } from '../../ids.js';
import { tellPrivately } from '../reply.js';

const owned = (id: string) =>
  decisionActionPattern.test(id) ||
  linkActionPattern.test(id) ||
  id === ActionIds.openRejectReason ||
  id === ActionIds.openKnowledgeEdit ||
  id === ActionIds.orientationDone;

export function registerUnknownButtons(app: App, deps: SlackDeps): void {
  app.action(/.*/, async ({ ack, action, body, client }) => {
    const actionId = (action as { action_id?: string }).action_id ?? '';
    if (owned(actionId)) return;
    await ack();
    deps.logger.warn({ actionId: redactSecrets(actionId.slice(0, 200)) }, 'unknown Slack action ignored');
    const channel = (body as { channel?: { id?: string } }).channel?.id;
    deps.afterAck(() =>
      tellPrivately(client, deps.logger, {
        user: body.user.id,
        channel,
        text: 'That button is not one I know (perhaps from an older message); nothing changed.',
      }),
    );
  });
}

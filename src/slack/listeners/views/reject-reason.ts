// The "reject with reason" modal: a reason of a few characters at least, or the modal stays open with the
// error (sent in the ack: https://api.slack.com/surfaces/modals#displaying_errors); then the rejection.
import type { App, ViewSubmitAction } from '@slack/bolt';
import type { SlackDeps } from '../../deps.js';
import { CallbackIds, InputIds } from '../../ids.js';
import { decideFromModal, inputValue } from './decide-from-modal.js';

export function registerRejectReasonSubmission(app: App, deps: SlackDeps): void {
  app.view<ViewSubmitAction>(CallbackIds.rejectReasonModal, async ({ ack, body, client, context }) => {
    const reason = inputValue(body, InputIds.reasonBlock, InputIds.reasonAction);
    if (reason.length < 3) {
      await ack({ response_action: 'errors', errors: { [InputIds.reasonBlock]: 'Say what is wrong, so the agent can act on it.' } });
      return;
    }
    await decideFromModal(deps, context, body, ack, client, { reason });
  });
}

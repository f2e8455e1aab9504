// The "edit first" modal of a knowledge proposal: title and body are both required, or the modal stays open
// with the error (sent in the ack: https://api.slack.com/surfaces/modals#displaying_errors); then the edited
// entry is the answer to the proposal.
import type { App, ViewSubmitAction } from '@slack/bolt';
import type { SlackDeps } from '../../deps.js';
import { CallbackIds, InputIds } from '../../ids.js';
import { decideFromModal, inputValue } from './decide-from-modal.js';

export function registerKnowledgeEditSubmission(app: App, deps: SlackDeps): void {
  app.view<ViewSubmitAction>(CallbackIds.knowledgeEditModal, async ({ ack, body, client, context }) => {
    const title = inputValue(body, InputIds.knowledgeTitleBlock, InputIds.knowledgeTitleAction);
    const text = inputValue(body, InputIds.knowledgeBodyBlock, InputIds.knowledgeBodyAction);
    if (!title || !text) {
      await ack({ response_action: 'errors', errors: { [title ? InputIds.knowledgeBodyBlock : InputIds.knowledgeTitleBlock]: 'Required.' } });
      return;
    }
    await decideFromModal(deps, context, body, ack, client, { text: `${title}\n\n${text}` });
  });
}

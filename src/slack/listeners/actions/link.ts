// Link buttons open a URL in the person's browser, but Slack still sends block_actions for them;
// acknowledging them is all there is to do, so Slack shows no error.
import type { App } from '@slack/bolt';
import { linkActionPattern } from '../../ids.js';

export function registerLinkButtons(app: App): void {
  app.action(linkActionPattern, async ({ ack }) => {
    await ack();
  });
}

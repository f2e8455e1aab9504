// Opening the app's DM (app_home_opened on the Messages tab: with `features.agent_view` in the manifest, the
// signal that a conversation with the agent starts) pins suggested prompts fitted to the person: a decision
// waiting for them, their active work item, and for a new engineer the orientation questions. Under agent_view
// the prompts are set on the DM without a thread
// (https://docs.slack.dev/reference/methods/assistant.threads.setSuggestedPrompts).
import type { App } from '@slack/bolt';
import { suggestedPromptsFor } from '../../blocks/agent.js';
import type { SlackDeps } from '../../deps.js';
import { triggerOf } from '../../trigger.js';
import { errorText } from '../reply.js';

export function registerMessagesTabOpened(app: App, deps: SlackDeps): void {
  app.event('app_home_opened', async ({ event, client, context }) => {
    if (event.tab !== 'messages') return;
    const trigger = triggerOf(context);
    if (!(await trigger.claim())) return;
    const developer = await trigger.developer();
    try {
      const situation = developer
        ? await deps.orchestrator.situation(developer.id).catch((err: unknown) => {
            // Prompts without the person's work are still prompts; the situation is back next time.
            deps.logger.warn({ err: errorText(err) }, 'no situation for the suggested prompts');
            return undefined;
          })
        : undefined;
      const { title, prompts } = suggestedPromptsFor(situation, developer ? deps.agent.audienceOf(developer.id) : {});
      await client.assistant.threads.setSuggestedPrompts({ channel_id: event.channel, title, prompts } as never);
    } catch (err) {
      deps.logger.warn({ err: errorText(err), user: event.user }, 'could not set the suggested prompts');
    }
  });
}

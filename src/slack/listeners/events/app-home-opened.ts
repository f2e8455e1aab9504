// App Home is the situation zone: republished from the orchestrator every time the person opens it.
import type { App } from '@slack/bolt';
import { context, header, homeView, section } from '../../blocks/kit.js';
import { renderHome } from '../../blocks/views.js';
import type { SlackDeps } from '../../deps.js';
import { CallbackIds } from '../../ids.js';
import { triggerOf } from '../../trigger.js';
import { errorText } from '../reply.js';

export function registerAppHomeOpened(app: App, deps: SlackDeps): void {
  app.event('app_home_opened', async ({ event, client, context: boltContext }) => {
    if (event.tab !== 'home') return;
    const trigger = triggerOf(boltContext);
    if (!(await trigger.claim())) return;
    const developer = await trigger.developer();
    // CI health is a part of Home, not the whole of it: when it cannot be read, the rest is still published.
    const ciHealth = () =>
      deps.orchestrator.ciHealth?.().catch((err: unknown) => {
        deps.logger.warn({ err: errorText(err) }, 'CI health unavailable for App Home');
        return undefined;
      });
    try {
      const view = developer
        ? renderHome(await deps.orchestrator.situation(developer.id), deps.render, await ciHealth())
        : homeView(
            [
              header('Situation Room'),
              section('You are not on this team’s roster yet. Ask your tech lead to add a role file with your Slack id under `.rh-agentic/roles/`.'),
            ],
            CallbackIds.home,
          );
      await client.views.publish({ user_id: event.user, view: view as never });
    } catch (err) {
      deps.logger.error({ err: errorText(err) }, 'App Home publish failed');
      await client.views.publish({
        user_id: event.user,
        view: homeView([header('Situation Room'), context([`The situation is unavailable right now: ${errorText(err)}`])], CallbackIds.home) as never,
      });
    }
  });
}

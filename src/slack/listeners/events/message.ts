// Messages to the app: replies in a pair thread go to the pair session ("take it from here" hands the phase
// back to RH-A); in a DM, "pair with me on phase 3" opens a pair thread, a plan override ("execute phase 1
// full auto", "pause it") is applied, and anything else is an architecture question; "remember: …" in either
// saves a hypothesis. Each event is processed once by event
// id, whatever Slack retries.
import type { AllMiddlewareArgs, App, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { SlackDeps } from '../../deps.js';
import { triggerOf } from '../../trigger.js';
import { errorText } from '../reply.js';
import { parseHandBack, parseOverride } from '../overrides.js';
import { applyOverride } from './override.js';
import { pairTargetOfThread, startPairThread } from './pair-thread.js';
import { rememberFromMessage } from './remember.js';
import { answerInThread } from '../agent/answer.js';

export function registerMessage(app: App, deps: SlackDeps): void {
  app.event('message', async ({ event, client, context }: SlackEventMiddlewareArgs<'message'> & AllMiddlewareArgs) => {
    // Edits, deletions and bot posts are not things a person said to us.
    if (event.subtype !== undefined || !('user' in event) || !event.user || ('bot_id' in event && event.bot_id)) return;
    const text = event.text ?? '';
    const isThreadReply = 'thread_ts' in event && typeof event.thread_ts === 'string' && event.thread_ts !== event.ts;
    const isDm = event.channel_type === 'im';
    if (!isThreadReply && !isDm) return; // channel messages reach us as app_mention when meant for us
    const trigger = triggerOf(context);
    if (!(await trigger.claim())) return;
    const developer = await trigger.developer();
    if (!developer) {
      if (isDm)
        await client.chat.postMessage({
          channel: event.channel,
          text: 'You are not on this team’s roster yet; ask your tech lead to add a role file with your Slack id.',
        });
      return;
    }
    try {
      const threadTs = isThreadReply ? (event as { thread_ts: string }).thread_ts : event.ts;
      if (await rememberFromMessage(deps, client, { developerId: developer.id, text, channel: event.channel, threadTs })) return;
      if (isThreadReply) {
        const handBack = parseHandBack(text);
        const target = handBack ? await pairTargetOfThread(client, event.channel, threadTs) : undefined;
        if (handBack && target) {
          const result = await deps.orchestrator.decide({
            ...target,
            kind: 'set-mode',
            mode: 'autonomous',
            ...(handBack.notes ? { notes: handBack.notes } : {}),
            thread: { channel: event.channel, threadTs },
            actor: developer.id,
            surface: 'slack-message',
            idempotencyKey: trigger.key!,
          });
          const text =
            result.outcome === 'refused'
              ? `Not handed back: ${result.reason}`
              : `RH-A takes phase ${target.phaseId} from here (${result.summary}): it continues from your commits on the phase branch${handBack.notes ? ' with your notes' : ''} and tells you in your DM when the PR is ready.`;
          await client.chat.postMessage({ channel: event.channel, thread_ts: threadTs, text });
          return;
        }
        const { accepted } = await deps.orchestrator.pairMessage({ channel: event.channel, threadTs, developerId: developer.id, text, messageTs: event.ts });
        if (accepted) await client.reactions.add({ channel: event.channel, timestamp: event.ts, name: 'eyes' }).catch(() => undefined);
        return;
      }
      if (await startPairThread(deps, client, { developerId: developer.id, text, channel: event.channel, threadTs: event.ts, idempotencyKey: trigger.key! }))
        return;
      const override = parseOverride(text);
      if (override)
        return void (await applyOverride(deps, client, {
          developerId: developer.id,
          override,
          channel: event.channel,
          threadTs: event.ts,
          idempotencyKey: trigger.key!,
        }));
      // A question: a status while RH-A works, then the answer streamed into the question's thread.
      await answerInThread(deps, client, {
        developerId: developer.id,
        question: text,
        channel: event.channel,
        threadTs: event.ts,
        user: event.user,
        ...(context.teamId ? { teamId: context.teamId } : {}),
        isDm,
        idempotencyKey: trigger.key!,
      });
    } catch (err) {
      deps.logger.error({ err: errorText(err) }, 'message handling failed');
      await client.chat.postMessage({ channel: event.channel, thread_ts: event.ts, text: `Something went wrong: ${errorText(err)}` });
    }
  });
}

// /sitroom: acknowledged at once with a short answer (help, a parse error, or "working on it"); who the
// person is, whether this invocation was already handled (claimed once by trigger id) and the slow part
// (asking RH-A) are answered afterwards through the command's response_url. `plan`, `pair` and `briefing`,
// which start work or post for the person, are written to the Slack inbox before the acknowledgement and
// applied from there (see inbox.ts).
import type { App } from '@slack/bolt';
import type { SlackDeps } from '../../deps.js';
import { escapeMrkdwn } from '../../blocks/kit.js';
import { renderStatusText } from '../../blocks/views.js';
import { slashCommand } from '../../ids.js';
import { notOnRosterToStart } from '../../inbox.js';
import { triggerOf } from '../../trigger.js';
import { errorText } from '../reply.js';
import { parseSitroomCommand, sitroomHelp } from './parse.js';

export function registerSitroomCommand(app: App, deps: SlackDeps): void {
  app.command(slashCommand, async ({ ack, command, respond, context }) => {
    const parsed = parseSitroomCommand(command.text);
    if (parsed.kind === 'help') return void (await ack({ response_type: 'ephemeral', text: sitroomHelp }));
    if (parsed.kind === 'invalid') return void (await ack({ response_type: 'ephemeral', text: parsed.message }));
    const working: Record<string, string> = {
      ask: 'Looking into it…',
      plan: `Asking RH-A for a plan for ${'workItemKey' in parsed ? parsed.workItemKey : ''}…`,
      status: 'Checking…',
      pair: 'Opening a pair thread…',
      briefing: 'Sending your briefing to your DM…',
    };
    const trigger = triggerOf(context);
    if (parsed.kind === 'plan' || parsed.kind === 'pair' || parsed.kind === 'briefing') {
      // Work that starts something or posts for the person is recorded before the acknowledgement, so the
      // "working on it" answer survives a crash; the insert is the only I/O before the ack, and who the person
      // is gets checked when the inbox applies it.
      const reply = { user: command.user_id, channel: command.channel_id };
      const intent =
        parsed.kind === 'plan'
          ? ({ kind: 'command', command: 'plan', workItemKey: parsed.workItemKey, intention: parsed.intention, reply } as const)
          : parsed.kind === 'pair'
            ? ({ kind: 'command', command: 'pair', phase: parsed.phase, ...(parsed.workItemKey ? { workItemKey: parsed.workItemKey } : {}), reply } as const)
            : ({ kind: 'command', command: 'briefing', reply } as const);
      let id: number | undefined;
      try {
        id = await deps.inbox.record(trigger.key!, command.user_id, intent);
      } catch (err) {
        deps.logger.error({ err: errorText(err), command: parsed.kind }, `/sitroom ${parsed.kind} could not be recorded`);
        return void (await ack({ response_type: 'ephemeral', text: `That did not work: ${errorText(err)}. Nothing was started; try again.` }));
      }
      await ack({ response_type: 'ephemeral', text: working[parsed.kind]! });
      if (id !== undefined) deps.afterAck(() => deps.inbox.apply(id));
      return;
    }
    await ack({ response_type: 'ephemeral', text: working[parsed.kind] ?? 'On it…' });
    const developer = await trigger.developer();
    if (!developer) return void (await respond({ response_type: 'ephemeral', text: notOnRosterToStart }));
    if (!(await trigger.claim())) return; // the same invocation delivered twice: answered the first time
    try {
      switch (parsed.kind) {
        case 'ask': {
          const answer = await deps.orchestrator.ask(developer.id, parsed.question, { idempotencyKey: trigger.key! });
          const sources = answer.citations.length ? `\n\n_Sources:_ ${answer.citations.map((c) => `\`${c}\``).join(', ')}` : '';
          await respond({ response_type: 'ephemeral', text: `*${escapeMrkdwn(parsed.question)}*\n${answer.text}${sources}`.slice(0, 39_000) });
          break;
        }
        case 'status': {
          const s = await deps.orchestrator.situation(developer.id);
          await respond({ response_type: 'ephemeral', text: renderStatusText(s) });
          break;
        }
      }
    } catch (err) {
      deps.logger.error({ err: errorText(err), command: parsed.kind }, '/sitroom failed');
      await respond({ response_type: 'ephemeral', text: `That did not work: ${errorText(err)}` });
    }
  });
}

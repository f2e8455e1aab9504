// An answer from RH-A in the conversation the question was asked in: a loading status while it works
// ("is reading capi.go…", assistant.threads.setStatus), then the answer streamed as it is sent
// (chat.startStream / appendStream / stopStream), finished with its sources, feedback buttons and the dashboard.
// Outside a DM the stream is addressed to the asker (recipient_user_id and recipient_team_id, as Slack requires).
import type { AllMiddlewareArgs } from '@slack/bolt';
import { answerFooter, streamCallLimit, streamPieces } from '../../blocks/agent.js';
import type { SlackDeps } from '../../deps.js';
import { errorText } from '../reply.js';

type Client = AllMiddlewareArgs['client'];

/** A status is set at most this often: Slack shows the latest, and each call is a Web API call. */
const statusEveryMs = 1_000;

export interface AnswerTarget {
  developerId: string;
  question: string;
  channel: string;
  /** The question's ts: the answer is a reply in its thread. */
  threadTs: string;
  /** The asker, for a stream outside a DM. */
  user: string;
  teamId?: string;
  isDm: boolean;
  /** The Slack event's idempotency key: a redelivered question waits for the answer already under way. */
  idempotencyKey: string;
}

export async function answerInThread(deps: SlackDeps, client: Client, target: AnswerTarget): Promise<void> {
  const status = createStatusLine(client, deps, target);
  await status.set('is thinking…');
  const answer = await deps.orchestrator.ask(target.developerId, target.question, {
    idempotencyKey: target.idempotencyKey,
    onProgress: (s) => void status.set(s),
  });
  status.stop();
  // The sources end the answer's own text, so they are in the message wherever it is shown or read aloud.
  const sources = answer.citations.length > 0 ? `\n\n_Sources:_ ${answer.citations.map((c) => `\`${c}\``).join(', ')}` : '';
  const text = `${answer.text.trim() || 'I have no answer to that.'}${sources}`;
  // "Open dashboard" lands on the asker's active work item, when they have one.
  const workItemKey = deps.agent.signInLink ? (await deps.orchestrator.situation(target.developerId).catch(() => undefined))?.workItems[0]?.key : undefined;
  const footer = answerFooter([], { dashboard: Boolean(deps.agent.signInLink), ...(workItemKey ? { workItemKey } : {}) });
  const pieces = streamPieces(text.slice(0, 39_000)).map((p) => p.slice(0, streamCallLimit));
  const recipient = target.isDm ? {} : { recipient_user_id: target.user, ...(target.teamId ? { recipient_team_id: target.teamId } : {}) };
  let ts: string | undefined;
  try {
    const started = await client.chat.startStream({ channel: target.channel, thread_ts: target.threadTs, markdown_text: pieces[0]!, ...recipient } as never);
    ts = started.ts;
    if (!ts) throw new Error('chat.startStream returned no ts');
    for (const piece of pieces.slice(1)) await client.chat.appendStream({ channel: target.channel, ts, markdown_text: piece });
    await client.chat.stopStream({ channel: target.channel, ts, blocks: footer as never });
  } catch (err) {
    // A workspace without streaming (or a stream cut short) still gets the whole answer, as one message.
    deps.logger.warn({ err: errorText(err), channel: target.channel, streamed: Boolean(ts) }, 'streaming the answer failed; posting it whole');
    if (ts) await client.chat.stopStream({ channel: target.channel, ts }).catch(() => undefined);
    await client.chat.postMessage({
      channel: target.channel,
      thread_ts: target.threadTs,
      text,
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: text.slice(0, 3_000) } }, ...footer] as never,
    });
  }
}

/** Sets the thread's loading status, no more than once a second and only when it changes. */
function createStatusLine(client: Client, deps: SlackDeps, target: AnswerTarget) {
  let last = '';
  let lastAt = 0;
  let pending: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const send = async (status: string) => {
    last = status;
    lastAt = Date.now();
    try {
      await client.assistant.threads.setStatus({ channel_id: target.channel, thread_ts: target.threadTs, status });
    } catch (err) {
      // A status is a courtesy: without it the answer still comes.
      deps.logger.debug?.({ err: errorText(err) }, 'could not set the thread status');
    }
  };
  return {
    async set(status: string): Promise<void> {
      if (stopped || status === last) return;
      const wait = statusEveryMs - (Date.now() - lastAt);
      if (wait <= 0) return send(status);
      pending = status;
      timer ??= setTimeout(() => {
        timer = undefined;
        if (!stopped && pending && pending !== last) void send(pending);
      }, wait);
    },
    stop(): void {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}

// pairSessionWorkflow (id: "pair:<channel>:<thread ts>"): a Slack thread where a developer pairs with the
// agent on one phase. Each message is answered by RH-A's review step in the thread. It ends when the
// developer says "done" or after inactivity, writes a summary into the developer's personal memory and
// tells the phase it belongs to.
import { condition, getExternalWorkflowHandle, proxyActivities, setHandler, allHandlersFinished } from '@temporalio/workflow';
import type { Activities } from '../src/activities/index.js';
import { pairDoneSignal, pairEndSignal, pairMessageSignal, pairSessionStateQuery } from './definitions.js';
import type { PairSessionInput, PairSessionState } from './types.js';

const acts = proxyActivities<Activities>({ startToCloseTimeout: '5 minutes', heartbeatTimeout: '1 minute', retry: { maximumAttempts: 4 } });

const donePattern = /^\s*(done|that's it|ship it)\b/i;

export async function pairSessionWorkflow(input: PairSessionInput): Promise<PairSessionState> {
  const state: PairSessionState = { sessionId: input.sessionId, open: true, messages: 0, lastActivityAt: new Date().toISOString() };
  const inbox: Array<{ developerId: string; text: string; messageTs: string }> = [];
  const seen = new Set<string>();
  const notes: string[] = [];
  let ended = false;

  setHandler(pairMessageSignal, (m) => {
    if (seen.has(m.messageTs)) return; // Slack redelivery of the same message
    seen.add(m.messageTs);
    inbox.push(m);
  });
  setHandler(pairEndSignal, () => {
    ended = true;
  });
  setHandler(pairSessionStateQuery, () => state);

  await acts.notify({
    dedupeKey: `pair-open:${input.sessionId}`,
    developerId: input.developerId,
    urgency: 'info',
    payload: {
      kind: 'pair-reply',
      sessionId: input.sessionId,
      channel: input.channel,
      threadTs: input.threadTs,
      text: `Pairing on ${input.workItemKey} phase ${input.phaseId}. Paste code or ask; say "done" when we are finished.`,
    },
  });

  while (!ended) {
    const active = await condition(() => inbox.length > 0 || ended, input.inactivityMs);
    if (!active) break;
    const message = inbox.shift();
    if (!message) continue;
    state.messages += 1;
    state.lastActivityAt = new Date().toISOString();
    if (donePattern.test(message.text)) {
      ended = true;
      break;
    }
    const reply = await acts.reviewPairMessage({
      sessionId: input.sessionId,
      developerId: message.developerId,
      workItemKey: input.workItemKey,
      phaseId: input.phaseId,
      text: message.text,
    });
    notes.push(reply.note);
    await acts.notify({
      dedupeKey: `pair-reply:${input.sessionId}:${message.messageTs}`,
      developerId: input.developerId,
      urgency: 'info',
      payload: { kind: 'pair-reply', sessionId: input.sessionId, channel: input.channel, threadTs: input.threadTs, text: reply.text },
    });
  }

  state.open = false;
  state.summary = notes.length ? notes.join('; ') : 'no code was discussed';
  await acts.savePairSummary({
    developerId: input.developerId,
    workItemKey: input.workItemKey,
    phaseId: input.phaseId,
    summary: state.summary,
    messages: state.messages,
  });
  if (input.phaseWorkflowId) {
    try {
      await getExternalWorkflowHandle(input.phaseWorkflowId).signal(pairDoneSignal, { summary: state.summary, actor: input.developerId });
    } catch {
      // The phase may have moved on (re-planned or cancelled); the summary is in personal memory either way.
    }
  }
  await condition(allHandlersFinished);
  return state;
}

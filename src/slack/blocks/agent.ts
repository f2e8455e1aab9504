// What Slack's surface for AI apps shows: the prompts suggested when a person opens the DM, fitted to them;
// the blocks under a streamed answer (feedback buttons, sources, "Open dashboard"); a curator's review DM;
// and the message metadata that ties a gate message to its workflow. Pure: tested without Slack.
import type { Situation } from '../../orchestrator/port.js';
import type { NotificationPayload } from '../../contracts/notifications.js';
import { workItemWorkflowId } from '../../../workflows/ids.js';
import { ActionIds } from '../ids.js';
import { actions, button, clip, context, escapeMrkdwn, feedbackButtons, section, type Block, type Message } from './kit.js';

export interface SuggestedPrompt {
  title: string;
  message: string;
}

/** Slack shows at most four suggested prompts (https://docs.slack.dev/reference/methods/assistant.threads.setSuggestedPrompts). */
export const maxSuggestedPrompts = 4;

/** Who opens the DM, as far as prompts care: their role's experience and whether they still have the orientation. */
export interface PromptAudience {
  experience?: 'new' | 'intermediate' | 'senior';
  newDeveloperGuidance?: boolean;
}

/**
 * Prompts for the person who opened the DM: their work first (a waiting decision, the active work item's
 * running phase), then, for a new engineer, the orientation questions, then general ones. Never more than four.
 */
export function suggestedPromptsFor(situation: Situation | undefined, audience: PromptAudience = {}): { title: string; prompts: SuggestedPrompt[] } {
  const prompts: SuggestedPrompt[] = [];
  const waiting = situation?.pendingDecisions[0];
  if (waiting)
    prompts.push({
      title: `What is waiting on ${waiting.workItemKey}?`,
      message: `What do I need to decide on ${waiting.workItemKey}${waiting.phaseId ? ` phase ${waiting.phaseId}` : ''}, and what happens after I approve?`,
    });
  const item = situation?.workItems[0];
  if (item) {
    const running = [...item.phases].sort((a, b) => a.mergeOrder - b.mergeOrder).find((p) => p.status !== 'merged' && p.status !== 'skipped');
    prompts.push({
      title: `Where is ${item.key}?`,
      message: `Where does ${item.key} stand${running ? `, and what does phase ${running.id} (${running.title}) change` : ''}?`,
    });
  }
  if (audience.experience === 'new' || audience.newDeveloperGuidance) {
    prompts.push({
      title: 'Orient me in HyperShift',
      message: 'I am new to HyperShift: walk me through how a NodePool becomes machines on a platform, and which files to read first.',
    });
    prompts.push({
      title: 'What should I not break?',
      message: 'Which invariants and boundary rules does the data plane team care about most, and where are they enforced?',
    });
  }
  prompts.push({
    title: 'How does a NodePool roll out?',
    message: 'How does a NodePool rollout flow from the API to the machines, and which controllers take part?',
  });
  prompts.push({
    title: 'Add a platform condition',
    message: 'What must I change to add a new NodePool condition for one platform, and which tests cover it?',
  });
  const title = item ? `Working on ${item.key}` : audience.experience === 'new' ? 'Welcome to the data plane team' : 'Ask RH-A about the data plane';
  return { title, prompts: prompts.slice(0, maxSuggestedPrompts).map((p) => ({ title: clip(p.title, 75), message: clip(p.message, 1_000) })) };
}

/** Answers are streamed in pieces of about this size, cut at a paragraph, line or word. */
export const streamPieceChars = 800;
/** chat.startStream / appendStream take at most 12,000 characters of markdown_text a call. */
export const streamCallLimit = 12_000;

/** The answer cut into pieces for chat.startStream / appendStream, in order; their concatenation is the answer. */
export function streamPieces(text: string, size = streamPieceChars): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > size) {
    const window = rest.slice(0, size);
    const cut = Math.max(window.lastIndexOf('\n\n'), window.lastIndexOf('\n'), window.lastIndexOf(' '));
    const at = cut > size / 4 ? cut + 1 : size;
    pieces.push(rest.slice(0, at));
    rest = rest.slice(at);
  }
  if (rest.length > 0 || pieces.length === 0) pieces.push(rest);
  return pieces;
}

export const feedbackValues = { positive: 'helpful', negative: 'not-helpful' } as const;

/** Under a finished answer: where it came from, thumbs up/down for calibration, and the dashboard. */
export function answerFooter(citations: string[], options: { dashboard: boolean; workItemKey?: string }): Block[] {
  const blocks: Block[] = [];
  if (citations.length > 0)
    blocks.push(
      context([
        `Sources: ${citations
          .slice(0, 8)
          .map((c) => `\`${escapeMrkdwn(c)}\``)
          .join(', ')}${citations.length > 8 ? ` and ${citations.length - 8} more` : ''}`,
      ]),
    );
  blocks.push(
    feedbackButtons({
      actionId: ActionIds.answerFeedback,
      positive: { label: '👍', value: feedbackValues.positive, accessibility: 'This answer helped' },
      negative: { label: '👎', value: feedbackValues.negative, accessibility: 'This answer did not help' },
    }),
  );
  if (options.dashboard) blocks.push(...actions([openDashboardButton(options.workItemKey)], 'sitroom-answer-dashboard'));
  return blocks;
}

export function openDashboardButton(workItemKey?: string) {
  return button({ actionId: ActionIds.openDashboard, label: 'Open dashboard', ...(workItemKey ? { value: workItemKey } : {}) });
}

/** The private answer to "Open dashboard": a link for this person only, valid for a few minutes. */
export function signInMessage(url: string, ttlMinutes: number, workItemKey?: string): Message {
  const where = workItemKey ? ` on ${workItemKey}` : '';
  const text = `Your dashboard link${where} (for you only, valid ${ttlMinutes} minutes): ${url}`;
  return {
    text,
    blocks: [
      section(`Here is your sign-in link${escapeMrkdwn(where)}. It is for you only and works for ${ttlMinutes} minutes.`),
      ...actions([button({ actionId: `${ActionIds.link}:dashboard`, label: 'Sign in to the dashboard', url, style: 'primary' })], 'sitroom-sign-in'),
    ],
  };
}

/** A knowledge proposal in review, sent to each curator's DM with Approve, Edit and Reject. */
export function curationMessage(p: {
  id: number;
  kind: string;
  title: string;
  body: string;
  proposerName: string;
  workItemKey: string | null;
  files: string[];
}): Message {
  const origin = p.workItemKey ? ` from ${p.workItemKey}` : '';
  const text = `Knowledge proposal to review${origin}: ${p.title} (by ${p.proposerName})`;
  const value = String(p.id);
  return {
    text,
    blocks: [
      section(
        `*Knowledge proposal to review* (${escapeMrkdwn(p.kind)}${escapeMrkdwn(origin)}, by ${escapeMrkdwn(p.proposerName)})\n*${escapeMrkdwn(p.title)}*`,
      ),
      section(escapeMrkdwn(clip(p.body, 2_800))),
      ...(p.files.length > 0
        ? [
            context([
              `Applies to: ${p.files
                .slice(0, 6)
                .map((f) => `\`${escapeMrkdwn(f)}\``)
                .join(', ')}`,
            ]),
          ]
        : []),
      ...actions(
        [
          button({ actionId: ActionIds.curateApprove, label: 'Approve', value, style: 'primary' }),
          button({ actionId: ActionIds.curateEdit, label: 'Edit', value }),
          button({ actionId: ActionIds.curateReject, label: 'Reject', value, style: 'danger' }),
        ],
        `sitroom-curate-${p.id}`,
      ),
    ],
  };
}

/** The review DM once decided: the buttons go, the outcome stays. */
export function curationDone(original: Message, outcome: string): Message {
  const kept = original.blocks.filter((b) => b.type !== 'actions');
  return { text: `${original.text} — ${outcome}`, blocks: [...kept, context([escapeMrkdwn(outcome)])] };
}

/**
 * Message metadata on a gate message (https://docs.slack.dev/messaging/message-metadata): the work item, phase
 * and workflow id, so another app or a person's tooling can find the workflow from the message. Everyone in the
 * workspace can read metadata, so it carries identifiers only, never plan text, tokens or URLs with secrets.
 */
export function gateMetadata(payload: NotificationPayload): { event_type: string; event_payload: Record<string, string> } | undefined {
  if (payload.kind !== 'gate') return undefined;
  return {
    event_type: 'sitroom_gate',
    event_payload: {
      work_item_key: payload.workItemKey,
      ...(payload.phaseId ? { phase_id: payload.phaseId } : {}),
      gate: payload.phaseId ? 'phase' : 'plan',
      workflow_id: workItemWorkflowId(payload.workItemKey),
    },
  };
}

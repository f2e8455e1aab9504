// What a developer tells the app to do with a plan, in their own words, rather than asks: "execute phase 1
// full auto, tell me when the PR is ready", "switch phase 2 to pairing", "pause HOSTEDCP-2101", and in a pair
// thread "take it from here". Pure, so the wording it accepts is tested without Slack; anything it does not
// recognise stays a question.
import type { ExecutionMode } from '../../contracts/vocabulary.js';

export type Override =
  | { kind: 'mode'; phase: string; workItemKey?: string; mode: ExecutionMode; execute: boolean; tellWhenPrReady: boolean }
  | { kind: 'work-item'; action: 'pause' | 'resume' | 'cancel'; workItemKey?: string; reason?: string };

const keyPattern = /\b([A-Z][A-Z0-9]+-\d+)\b/;
const phasePattern = /\bphase\s+([\w.-]+?)(?=[\s,.;:!]|$)/i;
const modeWords: Array<[RegExp, ExecutionMode]> = [
  [/\b(full[- ]?auto(?:matic)?|fully automatic(?:ally)?|autonomous(?:ly)?|on your own|by yourself|without me)\b/i, 'autonomous'],
  [/\b(pair(?:ing)?|collaborative(?:ly)?|together|with me)\b/i, 'collaborative'],
  [/\b(approval[- ]required|needs? (?:my )?approval|ask me first|with my approval|gated)\b/i, 'approval-required'],
];
const executeVerb = /^\s*(?:please\s+)?(execute|run|do|start|go ahead with|go on with|proceed with|ship)\b/i;
const setVerb = /^\s*(?:please\s+)?(switch|set|make|put|change|move|turn|let)\b/i;
// A question about modes ("how does phase 1 run full auto?") is a question, not an order.
const question = /^\s*(what|how|why|when|which|who|where|does|do you|is|are|can|could|should|would)\b|\?\s*$/i;

export function parseOverride(raw: string): Override | undefined {
  const text = raw.replace(/<@[UW][A-Z0-9]+>/g, ' ').trim();
  if (!text || question.test(text)) return undefined;
  const key = keyPattern.exec(text)?.[1];

  const control = /^\s*(?:please\s+)?(pause|resume|unpause|cancel|abandon)\b(.*)$/i.exec(text);
  if (control) {
    const verb = control[1]!.toLowerCase();
    const action = verb === 'unpause' ? 'resume' : verb === 'abandon' ? 'cancel' : (verb as 'pause' | 'resume' | 'cancel');
    const rest = control[2] ?? '';
    // Only about a work item ("pause", "pause it", "pause HOSTEDCP-1", "cancel the work: reason"), not "cancel my meeting".
    if (!key && !/^\s*(?:it|this|that|the (?:work(?: item)?|plan|ticket)|work(?: item)?|everything)?\s*(?:[:,.-]|because|$)/i.test(rest)) return undefined;
    const reason = /(?::|because)\s*(.+)$/i.exec(rest)?.[1]?.trim();
    return { kind: 'work-item', action, ...(key ? { workItemKey: key } : {}), ...(reason ? { reason } : {}) };
  }

  const phase = phasePattern.exec(text)?.[1];
  if (!phase) return undefined;
  const execute = executeVerb.test(text);
  if (!execute && !setVerb.test(text)) return undefined;
  const mode = modeWords.find(([pattern]) => pattern.test(text))?.[1];
  if (!mode) return undefined;
  return {
    kind: 'mode',
    phase,
    ...(key ? { workItemKey: key } : {}),
    mode,
    execute,
    tellWhenPrReady: /\b(tell|ping|let) me\b.*\bPR\b|\bPR is ready\b/i.test(text),
  };
}

/** "take it from here", "your turn", "hand it back": a paired phase goes back to RH-A; the rest of the message is the notes. */
export function parseHandBack(raw: string): { notes: string } | undefined {
  const text = raw.replace(/<@[UW][A-Z0-9]+>/g, ' ').trim();
  const match = /\b(take it from here|take over|your turn|you take it|hand(?:ing)? (?:it|this|the phase) back|back to you)\b/i.exec(text);
  if (!match || question.test(text)) return undefined;
  const notes = (text.slice(0, match.index) + ' ' + text.slice(match.index + match[0].length))
    .replace(/^[\s,.;:!-]+|[\s,.;:!-]+$/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return { notes };
}

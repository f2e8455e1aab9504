// "pair with me on phase 3 [of HOSTEDCP-123]": which work item and phase the person means, resolved
// against their situation. Pure, so the wording it accepts is tested without Slack.
import type { Situation } from '../../orchestrator/port.js';

const pairPattern = /\bpair with me on\s+(?:phase\s+)?([\w.-]+)(?:\s+(?:of|for|in|on)\s+([A-Z][A-Z0-9]+-\d+))?/i;

export interface PairRequest {
  phase: string;
  workItemKey?: string;
}

export function parsePairRequest(text: string): PairRequest | undefined {
  const match = pairPattern.exec(text.replace(/<@[UW][A-Z0-9]+>/g, ' '));
  if (!match) return undefined;
  return match[2] ? { phase: match[1]!, workItemKey: match[2].toUpperCase() } : { phase: match[1]! };
}

export type PairTarget = { ok: true; workItemKey: string; phaseId: string; title: string } | { ok: false; message: string };

/** Phase by id, or by its number in merge order ("phase 3"); the work item by key or the only active one. */
export function resolvePairTarget(request: PairRequest, situation: Situation): PairTarget {
  const items = request.workItemKey ? situation.workItems.filter((w) => w.key === request.workItemKey) : situation.workItems;
  if (items.length === 0) {
    return {
      ok: false,
      message: request.workItemKey
        ? `You have no active work item ${request.workItemKey}.`
        : 'You have no active work item to pair on. Start one with `/sitroom plan KEY intention`.',
    };
  }
  const matches: Array<{ key: string; phaseId: string; title: string }> = [];
  for (const w of items) {
    const ordered = [...w.phases].sort((a, b) => a.mergeOrder - b.mergeOrder);
    const n = /^\d+$/.test(request.phase) ? Number(request.phase) : undefined;
    const phase = w.phases.find((p) => p.id.toLowerCase() === request.phase.toLowerCase()) ?? (n !== undefined ? ordered[n - 1] : undefined);
    if (phase) matches.push({ key: w.key, phaseId: phase.id, title: phase.title });
  }
  if (matches.length === 1) return { ok: true, workItemKey: matches[0]!.key, phaseId: matches[0]!.phaseId, title: matches[0]!.title };
  if (matches.length > 1)
    return {
      ok: false,
      message: `Phase ${request.phase} exists in ${matches.map((m) => m.key).join(', ')}; say which: "pair with me on phase ${request.phase} of ${matches[0]!.key}".`,
    };
  const known = items
    .map(
      (w) =>
        `${w.key}: ${[...w.phases]
          .sort((a, b) => a.mergeOrder - b.mergeOrder)
          .map((p, i) => `${i + 1}. ${p.id}`)
          .join(', ')}`,
    )
    .join('\n');
  return { ok: false, message: `I could not find phase ${request.phase}. Your phases:\n${known}` };
}

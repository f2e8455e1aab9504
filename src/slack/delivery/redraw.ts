// A decision taken away from Slack (the dashboard's work item page) still settles the Slack messages that
// asked for it: the gate prompts the outbox delivered are found by their dedupe keys and updated in place,
// as the inbox does after a tap, so nobody taps a button for a decision already taken elsewhere. The
// prompt is drawn again from its stored payload (what Slack showed), then decided or re-controlled.
import { and, eq, like, or } from 'drizzle-orm';
import type { webApi } from '@slack/bolt';
import type { Database } from '../../db/client.js';
import { notificationOutbox } from '../../db/schema/core.js';
import type { NotificationPayload } from '../../contracts/notifications.js';
import type { Surface } from '../../contracts/decisions.js';
import type { Logger } from '../../observability/logger.js';
import type { DecisionRequest, DecisionResult, Orchestrator, WorkItemView } from '../../orchestrator/port.js';
import { formatWhen, renderDecided, renderNotification, type RenderContext } from '../blocks/notifications.js';
import { renderControlled } from '../blocks/plan-control.js';

export interface GateRedrawDeps {
  db: Database;
  client: Pick<webApi.WebClient, 'chat'>;
  render: RenderContext;
  orchestrator: Pick<Orchestrator, 'workItem'>;
  logger: Logger;
}

type Applied = Extract<DecisionResult, { outcome: 'applied' | 'duplicate' }>;

/** Decisions that settle a gate: its buttons go. Control decisions keep the gate live and redraw its controls. */
const settling = new Set(['approve-plan', 'approve-phase', 'reject-phase']);
const controlling = new Set(['pause', 'resume', 'set-mode']);

/** Where a decision was taken, as a person reads it under the prompt ("on the dashboard"). */
export const surfaceLabels: Partial<Record<Surface, string>> = { dashboard: 'on the dashboard', cli: 'from the command line' };

interface GateMessage {
  dedupeKey: string;
  channel: string;
  ts: string;
  payload: NotificationPayload;
}

/** Delivered gate prompts (first prompt, reminder, escalation) whose dedupe keys start with one of the prefixes. */
async function deliveredGates(db: Database, prefixes: string[]): Promise<GateMessage[]> {
  if (prefixes.length === 0) return [];
  const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
  const rows = await db
    .select({
      dedupeKey: notificationOutbox.dedupeKey,
      channel: notificationOutbox.slackChannel,
      ts: notificationOutbox.slackTs,
      payload: notificationOutbox.payload,
      id: notificationOutbox.id,
    })
    .from(notificationOutbox)
    .where(
      and(
        eq(notificationOutbox.kind, 'gate'),
        eq(notificationOutbox.status, 'delivered'),
        or(...prefixes.map((p) => like(notificationOutbox.dedupeKey, `${escapeLike(p)}%`))),
      ),
    )
    .orderBy(notificationOutbox.id);
  return rows
    .filter((r) => r.channel && r.ts)
    .map((r) => ({ dedupeKey: r.dedupeKey, channel: r.channel!, ts: r.ts!, payload: r.payload as NotificationPayload }));
}

/** The gate keys of one phase's latest opening (its prompt, reminder and escalation share the key). */
function latestOpening(messages: GateMessage[]): GateMessage[] {
  const base = (k: string) => k.replace(/:(reminder|escalation)$/, '');
  const newest = messages.at(-1);
  return newest ? messages.filter((m) => base(m.dedupeKey) === base(newest.dedupeKey)) : [];
}

/** Which gate prompts a decision on the work item concerns: a settled gate, or every gate still open for a control. */
async function gatesFor(db: Database, request: DecisionRequest, view: WorkItemView | undefined): Promise<GateMessage[]> {
  const key = request.workItemKey;
  const planGates = async (version: number | undefined) =>
    version ? (await deliveredGates(db, [`gate:${key}:plan:v${version}`])).filter((m) => m.dedupeKey === `gate:${key}:plan:v${version}`) : [];
  const phaseGates = async (phaseId: string) => latestOpening(await deliveredGates(db, [`gate:${key}:${phaseId}:`]));
  if (settling.has(request.kind)) {
    if (request.kind === 'approve-plan' || (request.kind === 'reject-phase' && !request.phaseId)) return planGates(view?.planVersion);
    return request.phaseId ? phaseGates(request.phaseId) : [];
  }
  if (!controlling.has(request.kind) || !view) return [];
  // A pause or a mode switch leaves the open gates open: only those are redrawn, with the work item as it is now.
  const found: GateMessage[] = [];
  for (const d of view.pendingDecisions) {
    if (d.kind === 'approve-plan') found.push(...(await planGates(view.planVersion)));
    else if (d.kind === 'approve-phase' && d.phaseId) found.push(...(await phaseGates(d.phaseId)));
  }
  return found;
}

/**
 * After a decision applied outside Slack: each gate prompt it concerns is updated in place (buttons gone, or
 * its controls drawn again), naming who decided and where. Never throws: the decision stands whatever Slack
 * answers, and a failed update is logged.
 */
export function createGateRedraw(deps: GateRedrawDeps) {
  return async function redrawAfterDecision(request: DecisionRequest, result: DecisionResult): Promise<number> {
    if (result.outcome !== 'applied') return 0;
    let updated = 0;
    try {
      const view = await deps.orchestrator.workItem?.(request.workItemKey);
      const where = surfaceLabels[request.surface];
      const decided: Applied = { ...result, summary: where ? `${result.summary} ${where}` : result.summary };
      for (const gate of await gatesFor(deps.db, request, view)) {
        const original = renderNotification(gate.payload, deps.render);
        const redrawn = settling.has(request.kind)
          ? renderDecided(original, decided, deps.render)
          : renderControlled(original, decided, view, deps.render, formatWhen);
        await deps.client.chat.update({ channel: gate.channel, ts: gate.ts, text: redrawn.text, blocks: redrawn.blocks as never });
        updated++;
      }
    } catch (err) {
      deps.logger.warn(
        { err: err instanceof Error ? err.message : String(err), workItemKey: request.workItemKey, kind: request.kind },
        'decision applied; redrawing its Slack prompts failed',
      );
    }
    return updated;
  };
}

export type GateRedraw = ReturnType<typeof createGateRedraw>;

// A decision a person took (approve, reject, edit the plan, fix CI…) and what it changes: the audit row, the
// owner's notification, the plan version it produced. The work item workflow hands these to the store.
import type { Notification } from './notifications.js';
import type { PhaseState, Plan } from './plan.js';
import type { ExecutionMode } from './vocabulary.js';

export interface DecisionRecord {
  idempotencyKey: string;
  workItemKey: string | null;
  phaseId: string | null;
  kind: string;
  actor: string;
  surface: string;
  detail: Record<string, unknown>;
  /** When the decision was taken (workflow time); the database's clock when absent. */
  decidedAt?: Date;
}

export interface PlanVersion {
  key: string;
  plan: Plan;
  version: number;
  status: string;
  phases: PhaseState[];
  /** Who may decide each phase's gate through OWNERS (the work item's settings.phaseApprovers), stored for the briefing. */
  approvers?: Record<string, string[]>;
}

/** A decision with what it changes: the owner's notification and, for a plan edit, the plan version it produced. */
export interface DecisionWithEffects {
  decision: DecisionRecord;
  notification?: Notification;
  plan?: PlanVersion;
}

/**
 * One decision as the work item workflow hands it to the store: the audit row (decidedAt as an ISO string,
 * workflow time), the notification that tells the owner, and for plan edits the plan version it produced.
 */
export interface DecisionCommit {
  decision: Omit<DecisionRecord, 'decidedAt'> & { decidedAt?: string };
  notification?: Notification;
  plan?: PlanVersion;
}

/** Where a person took a decision; stored with the audit row. */
export type Surface = 'slack-button' | 'slack-command' | 'slack-modal' | 'slack-message' | 'dashboard' | 'cli' | 'automatic';

/** What a decision update answers its caller: applied now, or already applied by an earlier request with the same id. */
export interface DecisionOutcome {
  outcome: 'applied' | 'duplicate';
  summary: string;
  decidedBy: string;
  decidedAt: string;
}

// What a surface asks for when a person decides: every surface sends one of these through the Orchestrator
// port, and the knowledge room answers the knowledge-proposal kind with it.
export const decisionKinds = [
  'approve-plan',
  'approve-phase',
  'reject-phase',
  'set-mode',
  'ci-option', // value: fix-and-repush | wait-for-me | skip-test
  'knowledge-proposal', // value: yes | edit | no ; edit carries `text`
  'budget', // value: continue | stop
  'pause',
  'resume',
  'cancel',
  'retry-draft', // "Try again" after RH-A could not draft the plan
  'edit-plan', // carries `plan` and, as `reason`, what changed
  'ready-to-merge', // after an approving review: ask Prow to merge the phase PR (value: its URL)
] as const;
export type DecisionKind = (typeof decisionKinds)[number];

export interface DecisionRequest {
  workItemKey: string;
  kind: DecisionKind;
  /** Absent on a plan-level decision (a reject without phaseId rejects the plan). */
  phaseId?: string;
  /** For knowledge-proposal decisions (older surfaces send it in phaseId). */
  proposalId?: string;
  value?: string;
  mode?: ExecutionMode;
  reason?: string;
  text?: string;
  /** The edited plan of an edit-plan decision. */
  plan?: Plan;
  /** set-mode handing a paired phase back: what the developer wants the agent to know. */
  notes?: string;
  /** set-mode said in a pair thread: what the phase has to say about the hand-back is answered there too. */
  thread?: { channel: string; threadTs: string };
  /** Developer id (role file name), resolved from the Slack user by the surface. */
  actor: string;
  surface: Surface;
  /** Stable across retries of the same tap: becomes the Temporal update id and the audit row key. */
  idempotencyKey: string;
}

export type DecisionResult =
  { outcome: 'applied' | 'duplicate'; summary: string; decidedBy: string; decidedAt: string } | { outcome: 'refused'; reason: string };

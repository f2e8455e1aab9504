// A decision a person took (approve, reject, edit the plan, fix CI…) and what it changes: the audit row, the
// owner's notification, the plan version it produced. The work item workflow hands these to the store.
import type { Notification } from './notifications.js';
import type { PhaseState, Plan } from './plan.js';

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

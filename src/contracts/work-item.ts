// A work item as its workflow holds it. The workflow, the store, the surfaces and the briefing all read it;
// the pure rules that move it live in src/plan/state.ts.
import type { DecisionCommit } from './decisions.js';
import type { ModeSetting, PhaseState, Plan } from './plan.js';
import type { ActivityKind } from './vocabulary.js';

/** draft-failed: RH-A could not draft a plan; the owner was told why and may try again or cancel. */
export type WorkItemStatus = 'planning' | 'draft-failed' | 'awaiting-plan-approval' | 'executing' | 'paused' | 'resolved' | 'cancelled';

export interface WorkItemSettings {
  modes: Record<ActivityKind, ModeSetting>;
  /** Developers (besides the owner) who may decide any gate of this item. */
  approvers: string[];
  /** Developers who may decide a phase because OWNERS names them for the phase's files. */
  phaseApprovers: Record<string, string[]>;
  backupApprover?: string;
  reminderAfterMs: number;
  escalateAfterMs: number;
}

export interface WorkItemState {
  key: string;
  ownerId: string;
  title: string;
  intention: string;
  status: WorkItemStatus;
  statusBeforePause?: WorkItemStatus;
  plan?: Plan;
  planVersion: number;
  planEdits: Array<{ version: number; by: string; at: string; note: string }>;
  planApprovedBy?: string;
  /** The last failed draft: why, and how many drafts have failed so far. */
  draftFailure?: { reason: string; attempts: number; at: string };
  phases: PhaseState[];
  /** Update ids already applied, carried across continue-as-new so a replayed tap never applies twice. */
  seenUpdateIds: string[];
  /** Decisions whose durable confirmation (the confirmDecisions activity) is still to run; carried across continue-as-new. */
  unconfirmedDecisions?: DecisionCommit[];
  settings: WorkItemSettings;
}

/** What the state query returns: the state without the (long) list of applied update ids. */
export type WorkItemSnapshot = Omit<WorkItemState, 'seenUpdateIds' | 'unconfirmedDecisions'> & { seenUpdateCount: number };

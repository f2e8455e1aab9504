// Data that crosses workflow boundaries. Plain JSON, no classes.
import type { ExecutionMode } from '../src/contracts/vocabulary.js';
import type { PlannedPhase } from '../src/plan/schema.js';
import type { Handoff, PhaseStatus } from '../src/contracts/plan.js';

export interface PhaseInput {
  workItemKey: string;
  ownerId: string;
  parentWorkflowId: string;
  phase: PlannedPhase;
  mode: ExecutionMode;
  attempt: number;
  /** Reasons from rejected gates: what the agent must do differently this time. */
  feedback: string[];
  ciMaxRetries: number;
  heartbeatTimeoutMs?: number;
}

export interface PhaseProgress {
  phaseId: string;
  attempt: number;
  status: PhaseStatus;
  prUrl?: string;
  branch?: string;
  ciWatchId?: string;
  awaitingCiDecision?: boolean;
  awaitingBudget?: boolean;
  handoff?: Handoff;
  /** The phase went back to pairing on its own (its branch diverged): the work item's mode follows, so a hand-back is taken. */
  mode?: ExecutionMode;
}

export interface PhaseResult {
  phaseId: string;
  status: 'ready-to-merge' | 'failed' | 'skipped';
  prUrl?: string;
  branch?: string;
  evidence: string[];
  handoffs: Handoff[];
}

export interface CiWatchInput {
  workItemKey: string;
  phaseId: string;
  phaseAttempt: number;
  ownerId: string;
  prUrl: string;
  parentWorkflowId: string;
  requiredJobs: string[];
  maxRetriesPerTest: number;
  /** Poll the CI system with back-off as well as accepting pushed results. */
  poll: boolean;
}

export interface PairSessionInput {
  sessionId: string;
  developerId: string;
  workItemKey: string;
  phaseId: string;
  channel: string;
  threadTs: string;
  /** The phase workflow to tell when the developer says "done". */
  phaseWorkflowId?: string;
  inactivityMs: number;
}

export interface PairSessionState {
  sessionId: string;
  open: boolean;
  messages: number;
  lastActivityAt: string;
  summary?: string;
}

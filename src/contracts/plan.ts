// The plan a work item runs and the state of each of its phases. src/plan/schema.ts validates plans (and
// the compiler holds its types equal to these); src/plan/state.ts holds the pure rules that move phases.
import type { ActivityKind, ExecutionMode } from './vocabulary.js';

export interface ValidationStep {
  /** A command from the team's allow-list, e.g. "make verify". */
  command: string;
  why: string;
}

/** One phase as planned; src/plan/schema.ts validates it (and the compiler holds the two equal). */
export interface PlannedPhase {
  id: string;
  title: string;
  /** The Jira story this phase delivers, when one exists. */
  story?: string;
  activity: ActivityKind;
  files: string[];
  constraints: string[];
  validation: ValidationStep[];
  dependsOn: string[];
  /** Merge order across phases developed in parallel: lower merges first. */
  mergeOrder: number;
  /** Set when the plan author asked for a specific mode; otherwise resolved from role and team config. */
  mode?: ExecutionMode;
}

export interface Plan {
  workItemKey: string;
  intention: string;
  summary: string;
  phases: PlannedPhase[];
}

export type PhaseStatus =
  | 'blocked' // dependencies not merged yet
  | 'awaiting-approval' // gate open, waiting for a person
  | 'rejected' // gate rejected; waits for re-approval with the reason as feedback
  | 'running' // agent executing (autonomous)
  | 'pairing' // collaborative session open
  | 'ci' // PR open, CI being watched
  | 'ready-to-merge' // CI green, waiting for its turn in the merge order
  | 'merged'
  | 'failed'
  | 'skipped';

export interface ModeSetting {
  mode: ExecutionMode;
  source: 'session' | 'role' | 'team-activity' | 'team-default' | 'plan';
}

export interface Rejection {
  by: string;
  reason: string;
  at: string;
}

export interface Handoff {
  from: ExecutionMode;
  to: ExecutionMode;
  at: string;
  done: string[];
  why: string;
  evidence: string[];
  next: string[];
}

export interface PhaseState {
  id: string;
  title: string;
  activity: ActivityKind;
  dependsOn: string[];
  mergeOrder: number;
  mode: ExecutionMode;
  modeSource: ModeSetting['source'];
  status: PhaseStatus;
  gateOpenedAt?: string;
  approvedBy?: string;
  rejections: Rejection[];
  escalatedTo?: string;
  prUrl?: string;
  branch?: string;
  ciWatchId?: string;
  /** A blocking CI failure is waiting for the owner's choice (fix and re-push / wait / skip). */
  awaitingCiDecision?: boolean;
  /** The agent stopped at the token budget threshold and waits for the owner's go-ahead. */
  awaitingBudget?: boolean;
  handoffs: Handoff[];
  attempts: number;
  /** Notes from RH-O for the next attempt, e.g. a merge conflict with main to re-apply the change over. */
  notes?: string[];
}

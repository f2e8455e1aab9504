// What RH-O tells people. Workflows produce these (through the notify activity, which writes the outbox);
// the Slack layer renders them; routing decides silent log / DM / immediate mention by urgency and the
// developer's preferences. Plain data so they travel through Temporal and JSONB unchanged.
import type { CiFailureSummary } from './ci.js';
import type { DriftedReference } from './model-drift.js';
import type { Urgency } from './vocabulary.js';

export interface ButtonSpec {
  /** Action id from src/slack/ids.ts */
  actionId: string;
  label: string;
  /** Serialised DecisionRequest template (without actor/surface/idempotency, which the tap supplies). */
  value: string;
  style?: 'primary' | 'danger';
}

export type NotificationPayload =
  | {
      kind: 'briefing';
      developerId: string;
      date: string;
      activeWorkItem?: {
        key: string;
        title: string;
        status: string;
        phase?: string;
        /** The ticket's Jira status when the briefing was built, or "status unavailable". */ ticketStatus?: string;
      };
      lastContext?: string;
      hypothesis?: string;
      /** The developer's own phase PRs, then merged changes of the target repository that touched the same files or model components, each with why. */
      relatedPrs: Array<{ title: string; url: string; state: string; why?: string }>;
      pendingDecisions: Array<{ workItemKey: string; phaseId?: string; kind: string; title: string }>;
      overnightCi: Array<{ pr: string; job: string; result: string; classification?: string }>;
      knowledge: Array<{ tier: 1 | 2 | 3; title: string; summary: string }>;
      /** concepts: the orientation stops explained at more than reference depth; counted in personal memory when delivered. */
      orientation?: { title: string; steps: string[]; concepts?: string[] };
    }
  | {
      kind: 'gate';
      workItemKey: string;
      phaseId?: string; // absent: the plan gate
      title: string;
      summary: string;
      mode?: string;
      reminder?: 'reminder' | 'escalation';
      /** On the plan gate: the phases in order with their modes, so each phase's mode can be switched from it. */
      phases?: Array<{ id: string; title: string; mode: string }>;
    }
  | { kind: 'draft-failed'; workItemKey: string; title: string; reason: string; attempts: number }
  | { kind: 'decision-recorded'; workItemKey: string; phaseId?: string; text: string }
  | {
      kind: 'ci-alert';
      workItemKey: string;
      phaseId: string;
      prUrl: string;
      ownerId: string;
      failures: CiFailureSummary[];
    }
  | {
      kind: 'pr-ready';
      workItemKey: string;
      phaseId: string;
      prUrl: string;
      ciSummary: string;
      reviewers: string[];
      confidence: Array<{ level: string; grade: string; summary: string }>;
    }
  | {
      /** An approving GitHub review of a phase PR; the owner may ask Prow to merge it ("Ready to merge?"). */
      kind: 'review-approved';
      workItemKey: string;
      phaseId: string;
      prUrl: string;
      /** Developer id when a role file names the GitHub login, else the login. */
      reviewer: string;
      github: string;
      /** An OWNERS approver of the phase's files: L4 "human" counts only such an approval. */
      ownersApprover: boolean;
      confidence: Array<{ level: string; grade: string; summary: string }>;
    }
  | { kind: 'handoff'; workItemKey: string; phaseId: string; from: string; to: string; done: string[]; why: string; evidence: string[]; next: string[] }
  | { kind: 'pair-reply'; sessionId: string; channel: string; threadTs: string; text: string }
  | { kind: 'knowledge-proposal'; proposalId: string; workItemKey: string; title: string; body: string }
  | { kind: 'overlap'; workItemKey: string; otherWorkItemKey: string; otherOwnerId: string; shared: string[] }
  | { kind: 'budget'; workItemKey: string; phaseId?: string; spentTokens: number; capTokens: number }
  | {
      kind: 'model-drift';
      /** target commit checked and the model digest: with the recipient, the proposal's dedupe key */
      commit: string;
      baseline: string;
      modelDigest: string;
      broken: DriftedReference[];
      /** owners named by OWNERS files outside the team roster */
      ownersOutsideRoster: string[];
    }
  | { kind: 'info'; text: string };

export interface Notification {
  /** Stable key from business identifiers (e.g. "gate:HOSTEDCP-1:api:reminder"): the outbox's unique index. */
  dedupeKey: string;
  developerId?: string;
  /** Channel for channel alerts; absent → the developer's DM. */
  channel?: string;
  urgency: Urgency;
  payload: NotificationPayload;
}

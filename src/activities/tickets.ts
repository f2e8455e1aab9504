// RH-A's comments on the team's Jira tickets: when a phase's PR is ready (on the story it delivers, else on
// the work item's ticket) and when the work item resolves (what merged). Each comment has a business key the
// workflow derives from its own ids; the issue tracker stores it on the comment it creates and a retried
// activity that finds it posts nothing (src/integrations/jira.ts addComment). Jira's HTTP errors are catalogued
// failures: the workflow's retry policy and its catch decide, and a comment never holds up a phase.
import type { CommentBody, IssueTracker } from '../integrations/jira.js';

export type TicketComment =
  | {
      kind: 'pr-ready';
      businessKey: string;
      workItemKey: string;
      phaseId: string;
      phaseTitle: string;
      /** The Jira story this phase delivers; the comment goes there when set. */
      story?: string;
      prUrl: string;
      ciSummary: string;
      confidence: Array<{ level: string; grade: string; summary: string }>;
    }
  | {
      kind: 'resolved';
      businessKey: string;
      workItemKey: string;
      title: string;
      phases: Array<{ id: string; title: string; status: string; prUrl?: string; story?: string }>;
    };

/** The comment as Jira shows it: short paragraphs, PR links as links. */
export function ticketCommentBody(c: TicketComment): { issueKey: string; body: CommentBody } {
  if (c.kind === 'pr-ready') {
    const grades = c.confidence.map((g) => `${g.level} ${g.grade}`).join(', ');
    return {
      issueKey: c.story ?? c.workItemKey,
      body: [
        [`Situation Room: phase "${c.phaseTitle}" (${c.phaseId}) of ${c.workItemKey} is ready for review: `, { text: c.prUrl, href: c.prUrl }],
        [`CI: ${c.ciSummary}`],
        ...(grades ? [[`Confidence: ${grades}.`]] : []),
      ],
    };
  }
  const merged = c.phases.filter((p) => p.status === 'merged');
  const other = c.phases.filter((p) => p.status !== 'merged');
  return {
    issueKey: c.workItemKey,
    body: [
      [`Situation Room: ${c.workItemKey} "${c.title}" is resolved. ${merged.length} of ${c.phases.length} phases merged:`],
      ...merged.map((p): CommentBody[number] => [`- ${p.title}${p.story ? ` (${p.story})` : ''}: `, p.prUrl ? { text: p.prUrl, href: p.prUrl } : 'merged']),
      ...(other.length ? [[`Not merged: ${other.map((p) => `${p.title} (${p.status})`).join(', ')}.`]] : []),
    ],
  };
}

export function createTicketActivities(deps: { issues?: IssueTracker }) {
  return {
    /** Posts the comment once per business key; nothing when no issue tracker is configured. */
    async commentOnTicket(comment: TicketComment): Promise<{ issueKey: string; commentId: string; posted: boolean } | { skipped: 'no issue tracker' }> {
      if (!deps.issues) return { skipped: 'no issue tracker' };
      const { issueKey, body } = ticketCommentBody(comment);
      const { id, posted } = await deps.issues.addComment(issueKey, body, comment.businessKey);
      return { issueKey, commentId: id, posted };
    },
  };
}

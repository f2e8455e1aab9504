// The follow-up bug check as the worker runs it: each work item merged within team.yaml's
// jira.follow_up_bug_window_days, its ticket (and an epic's stories) read from Jira, and each linked Bug
// created in the window recorded once per (merged PR, bug key). Jira errors propagate as catalogued failures.
import type { TeamConfig } from '../config/schema.js';
import { isFollowUpBug, mergesInWindow } from '../confidence/follow-up-bugs.js';
import type { CalibrationStore } from '../db/calibration.js';
import type { IssueTracker, JiraIssue } from '../integrations/jira.js';
import { hasStoryChildren } from '../plan/stories.js';

export interface FollowUpBugCheck {
  merges: number;
  recorded: Array<{ prUrl: string; bug: string }>;
}

export function createFollowUpBugCheck(deps: {
  issues: IssueTracker;
  calibration: Pick<CalibrationStore, 'workItemMergesSince' | 'outcomesOf' | 'recordOutcome'>;
  team: () => Pick<TeamConfig, 'jira' | 'sdlc'>;
  now?: () => Date;
}) {
  return async (): Promise<FollowUpBugCheck> => {
    const now = deps.now?.() ?? new Date();
    const { jira, sdlc } = deps.team();
    const windowDays = jira.follow_up_bug_window_days;
    const since = new Date(now.getTime() - windowDays * 86_400_000);
    const merges = mergesInWindow(await deps.calibration.workItemMergesSince(since), windowDays, now);
    const recorded: FollowUpBugCheck['recorded'] = [];
    // One read per ticket and per linked bug, however many phase PRs share the work item.
    const tickets = new Map<string, Promise<JiraIssue[]>>();
    const bugs = new Map<string, Promise<JiraIssue>>();
    const ticketAndStories = (key: string) => {
      if (!tickets.has(key)) {
        tickets.set(
          key,
          deps.issues
            .getIssue(key)
            .then(async (issue) => (hasStoryChildren(sdlc.hierarchy, issue.issueType) ? [issue, ...(await deps.issues.childIssues(key))] : [issue])),
        );
      }
      return tickets.get(key)!;
    };
    const bug = (key: string) => {
      if (!bugs.has(key)) bugs.set(key, deps.issues.getIssue(key));
      return bugs.get(key)!;
    };
    for (const merge of merges) {
      const linked = new Set(
        (await ticketAndStories(merge.workItemKey)).flatMap((i) => i.links.filter((l) => l.issueType.toLowerCase() === 'bug').map((l) => l.key)),
      );
      if (linked.size === 0) continue;
      const known = new Set((await deps.calibration.outcomesOf(merge.prUrl)).filter((o) => o.kind === 'follow-up-bug').map((o) => o.reference));
      for (const key of linked) {
        if (known.has(key)) continue;
        const issue = await bug(key);
        if (!isFollowUpBug(issue, merge.mergedAt, windowDays)) continue;
        await deps.calibration.recordOutcome({
          prUrl: merge.prUrl,
          kind: 'follow-up-bug',
          reference: key,
          detail: `${issue.summary} (linked to ${merge.workItemKey})`,
        });
        recorded.push({ prUrl: merge.prUrl, bug: key });
      }
    }
    return { merges: merges.length, recorded };
  };
}

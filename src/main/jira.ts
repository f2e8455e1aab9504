// Jira as the composition root wires it: the client from the typed environment, the ticket a plan is drawn
// from (its text, and its stories when it is an epic per team.yaml's sdlc.hierarchy), kept out of compose.ts.
import type { Environment } from '../config/environment.js';
import { createJira, type IssueTracker } from '../integrations/jira.js';
import type { Logger } from '../observability/logger.js';
import { hasStoryChildren, scopeForPlanner, scopeOf, type TicketScope } from '../plan/stories.js';

/** Jira when JIRA_URL and JIRA_TOKEN are set (the environment check requires both or neither). */
export function issueTrackerFrom(environment: Environment): IssueTracker | undefined {
  const { jira } = environment;
  if (!jira.url || !jira.token) return undefined;
  return createJira({ baseUrl: jira.url, token: jira.token, ...(jira.email ? { email: jira.email } : {}), apiVersion: jira.apiVersion });
}

/** The ticket's place in the hierarchy, with an epic's stories read by JQL `parent = KEY`. */
export function ticketScopeReader(issues: IssueTracker, hierarchy: () => readonly string[]) {
  return async (key: string): Promise<TicketScope> => {
    const issue = await issues.getIssue(key);
    const levels = hierarchy();
    const children = hasStoryChildren(levels, issue.issueType) ? await issues.childIssues(key) : [];
    return scopeOf(levels, issue, children);
  };
}

/** A ticket that cannot be read (missing, no permission, Jira down) never blocks planning: the intention stands. */
export function describeFromTracker(issues: IssueTracker, hierarchy: () => readonly string[], logger: Logger) {
  return async (key: string) => {
    try {
      const issue = await issues.getIssue(key);
      const levels = hierarchy();
      const children = hasStoryChildren(levels, issue.issueType) ? await issues.childIssues(key).catch(() => []) : [];
      const planner = scopeForPlanner(scopeOf(levels, issue, children));
      return { title: issue.summary, description: [issue.description, planner].filter(Boolean).join('\n\n') };
    } catch (err) {
      logger.warn({ key, err: (err as Error).message }, 'could not read the ticket; planning from the intention alone');
      return undefined;
    }
  };
}

/** The scope for the plan activity: a ticket that cannot be read leaves the plan as RH-A drafted it. */
export function planScopeFromTracker(issues: IssueTracker, hierarchy: () => readonly string[], logger: Logger) {
  const scopeOfKey = ticketScopeReader(issues, hierarchy);
  return async (key: string): Promise<TicketScope | undefined> => {
    try {
      return await scopeOfKey(key);
    } catch (err) {
      logger.warn({ key, err: (err as Error).message }, 'could not read the ticket hierarchy; phases carry no story');
      return undefined;
    }
  };
}

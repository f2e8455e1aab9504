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

/**
 * The Jira status of a ticket for the briefing: a short timeout, "status unavailable" on any error, and one read
 * per ticket while `ttlMs` lasts (in-flight reads shared), so a morning of briefings reads each ticket about
 * once instead of once per developer and briefing.
 */
export function ticketStatusReader(issues: IssueTracker, logger: Logger, opts: { timeoutMs?: number; ttlMs?: number; now?: () => number } = {}) {
  const timeoutMs = opts.timeoutMs ?? 3_000;
  const ttlMs = opts.ttlMs ?? 15_000;
  const now = opts.now ?? Date.now;
  const cache = new Map<string, { at: number; status: Promise<string> }>();
  return (key: string): Promise<string> => {
    const hit = cache.get(key);
    if (hit && now() - hit.at < ttlMs) return hit.status;
    const status = Promise.race([
      issues.getIssue(key).then((i) => i.status),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref()),
    ]).catch((err: unknown) => {
      logger.warn({ key, err: (err as Error).message }, 'ticket status unavailable for the briefing');
      return 'status unavailable';
    });
    cache.set(key, { at: now(), status });
    for (const [k, v] of cache) if (now() - v.at >= ttlMs) cache.delete(k);
    return status;
  };
}

// Follow-up bugs recorded without anyone typing `sitroom outcome`: two phase PRs of one epic merged
// (recorded as the dashboard calibration test records merges), a Bug linked to the epic and one to its Story in the
// loopback Jira after the merges, and another linked Bug created before them. The Schedule the worker ensures at start
// is triggered as Temporal would on its interval; the dashboard, opened with the sign-in link, shows each
// merge's follow-up bug once, the earlier bug nowhere, and a second run records nothing new.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assessConfidence } from '../../src/confidence/model.js';
import { CalibrationStore } from '../../src/db/calibration.js';
import { mergeOutcomes } from '../../src/db/schema/knowledge.js';
import { createDashboardHandler, dashboardLoginLink } from '../../src/http/dashboard/index.js';
import { startHttpServer, type HttpServer } from '../../src/http/server.js';
import { createJira } from '../../src/integrations/jira.js';
import { curatorsFromConfig } from '../../src/knowledge/access.js';
import { KnowledgeStore } from '../../src/knowledge/store.js';
import { createFollowUpBugCheck } from '../../src/main/follow-up-bugs.js';
import { ensureFollowUpBugsSchedule } from '../../src/orchestrator/schedules.js';
import { followUpBugsScheduleId } from '../../workflows/ids.js';
import { startFakeJira, type FakeJira } from '../support/doubles/jira.js';
import { startOrchestra, type Orchestra } from '../support/orchestra.js';

const token = 'jira-follow-up-token';
const secret = 'follow-up-bugs-secret-0123456789abcdef';
const day = 86_400_000;
const now = Date.now();
const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');
let orchestra: Orchestra;
let jira: FakeJira;
let server: HttpServer;
let ticket: string;
const pr = (n: number) => `https://github.com/openshift/hypershift/pull/${7700 + n}`;

beforeAll(async () => {
  jira = await startFakeJira([], token);
  orchestra = await startOrchestra({
    followUpBugs: () =>
      createFollowUpBugCheck({
        issues: createJira({ baseUrl: jira.url, token, apiVersion: 3 }),
        calibration: new CalibrationStore(orchestra.store.db),
        team: () => orchestra.config.team,
      })(),
  });
  ticket = `${orchestra.keyPrefix}-1`;
  const link = (key: string, summary: string) => ({
    type: 'Relates',
    inward: 'relates to',
    outward: 'relates to',
    key,
    direction: 'outward' as const,
    summary,
    status: 'New',
    issueType: 'Bug',
  });
  jira.issues.push(
    {
      key: ticket,
      summary: 'NodePool auto-repair for AWS',
      description: 'Replace unhealthy nodes.',
      status: 'Closed',
      type: 'Epic',
      links: [link('OCPBUGS-501', 'Auto-repair replaces a node twice'), link('OCPBUGS-400', 'Older repair bug')],
    },
    // A Story of the epic: its linked bugs count for the epic's merges too (read by JQL `parent = KEY`).
    { key: `${ticket}1`, summary: 'Repair AWS nodes', description: '', status: 'Closed', parent: ticket, links: [link('OCPBUGS-502', 'Repair loops on spot')] },
    { key: 'OCPBUGS-502', summary: 'Repair loops on spot', description: '', status: 'New', type: 'Bug', created: iso(now - 2 * day) },
    { key: 'OCPBUGS-501', summary: 'Auto-repair replaces a node twice', description: '', status: 'New', type: 'Bug', created: iso(now - 1 * day) },
    { key: 'OCPBUGS-400', summary: 'Older repair bug', description: '', status: 'New', type: 'Bug', created: iso(now - 30 * day) },
  );
  const calibration = new CalibrationStore(orchestra.store.db);
  const assessment = assessConfidence([{ check: 'unit-tests', status: 'pass', detail: 'ok', source: 's', at: new Date(now - 5 * day) }]);
  await calibration.recordMerge({ prUrl: pr(1), workItemKey: ticket, phaseId: 'api', assessment, mergedAt: new Date(now - 5 * day) });
  await calibration.recordMerge({ prUrl: pr(2), workItemKey: ticket, phaseId: 'controller', assessment, mergedAt: new Date(now - 4 * day) });
  const knowledge = new KnowledgeStore(orchestra.store.db, { curators: curatorsFromConfig(orchestra.config) });
  const displayNames = new Map([...orchestra.config.roles.values()].map((r) => [r.developer, r.display_name]));
  server = await startHttpServer({ port: 0, routes: [createDashboardHandler({ db: orchestra.store.db, knowledge, secret, displayNames })] });
}, 120_000);
afterAll(async () => {
  await orchestra?.env.client.schedule
    .getHandle(followUpBugsScheduleId)
    .delete()
    .catch(() => undefined);
  await orchestra?.stop();
  await server?.close();
  await jira?.close();
});

async function dashboard(): Promise<string> {
  const login = await fetch(dashboardLoginLink(server.url, secret, 'priya', new Date()), { redirect: 'manual' });
  expect(login.status).toBe(303);
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const res = await fetch(`${server.url}${login.headers.get('location')}`, { headers: { cookie } });
  expect(res.status).toBe(200);
  return res.text();
}

/** The schedule's started runs, newest last, waited on until `count` have completed. */
async function completedRuns(count: number): Promise<unknown[]> {
  const handle = orchestra.env.client.schedule.getHandle(followUpBugsScheduleId);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const actions = (await handle.describe()).info.recentActions;
    if (actions.length >= count) {
      return Promise.all(
        actions.map((a) => orchestra.env.client.workflow.getHandle(a.action.workflow.workflowId, a.action.workflow.firstExecutionRunId).result()),
      );
    }
    if (Date.now() > deadline) throw new Error(`only ${actions.length} scheduled runs started`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('follow-up bugs from Jira, on the Schedule', () => {
  it('records each merged PR’s linked bug created in the window once, and not the one created before the merge', async () => {
    expect(await dashboard()).toContain('0 of 2 needed a fix (0%)');
    await ensureFollowUpBugsSchedule(orchestra.env.client, orchestra.config.team.jira.follow_up_check_every, orchestra.taskQueue);
    const schedule = orchestra.env.client.schedule.getHandle(followUpBugsScheduleId);
    await schedule.trigger();
    const [first] = await completedRuns(1);
    expect(first).toEqual({
      merges: 2,
      recorded: [
        { prUrl: pr(1), bug: 'OCPBUGS-501' },
        { prUrl: pr(1), bug: 'OCPBUGS-502' },
        { prUrl: pr(2), bug: 'OCPBUGS-501' },
        { prUrl: pr(2), bug: 'OCPBUGS-502' },
      ],
    });
    expect(await dashboard()).toContain('2 of 2 needed a fix (100%)');

    // Temporal drops a second trigger within the same second.
    await new Promise((r) => setTimeout(r, 1_100));
    await schedule.trigger();
    const runs = await completedRuns(2);
    expect(runs[1]).toEqual({ merges: 2, recorded: [] });
    const outcomes = await orchestra.store.db.select().from(mergeOutcomes);
    expect(outcomes.map((o) => `${o.prUrl} ${o.kind} ${o.reference}`).sort()).toEqual([
      `${pr(1)} follow-up-bug OCPBUGS-501`,
      `${pr(1)} follow-up-bug OCPBUGS-502`,
      `${pr(2)} follow-up-bug OCPBUGS-501`,
      `${pr(2)} follow-up-bug OCPBUGS-502`,
    ]);
    expect(await dashboard()).toContain('2 of 2 needed a fix (100%)');
  }, 180_000);
});

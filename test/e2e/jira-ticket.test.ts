// Jira as the team uses it, through Slack and the dashboard with the loopback Jira (REST v3) behind the
// product: a plan requested for a ticket takes its title and context from it; an epic's stories become what
// its phases deliver (team.yaml sdlc.hierarchy: epic → story); a story is a work item of its own; RH-A
// comments on the ticket when the phase's PR is ready (once, even when Jira's reply was lost and the activity
// retried) and when the work item resolves; a ticket that cannot be read never blocks planning.
import { beforeAll, describe, expect, it } from 'vitest';
import { startFakeJira, type FakeJira } from '../support/doubles/jira.js';
import { useSlackProduct } from '../support/slack-product.js';
import { seen, until } from '../support/slack-view.js';
import { commentWiki, type CommentBody } from '../../src/integrations/jira.js';

const project = `HOSTEDCP${Math.floor(Math.random() * 1e4)}`;
const epic = `${project}-2101`;
const [storyApi, storyAws] = [`${project}-2102`, `${project}-2103`];
const story = `${project}-2201`;
let jira: FakeJira;
beforeAll(async () => {
  jira = await startFakeJira(
    [
      { key: `${project}-90`, summary: 'Capacity errors for hosted clusters', description: '', status: 'In Progress', type: 'Feature' },
      {
        key: epic,
        summary: 'NodePool should report capacity errors per platform',
        description: 'When a cloud has no capacity for the instance type, the NodePool says nothing.',
        status: 'In Progress',
        type: 'Epic',
        parent: `${project}-90`,
      },
      { key: storyApi, summary: 'API: a CapacityError condition on NodePool', description: '', status: 'To Do', type: 'Story', parent: epic },
      { key: storyAws, summary: 'AWS: report insufficient instance capacity', description: '', status: 'To Do', type: 'Story', parent: epic },
      { key: `${project}-2200`, summary: 'NodePool quota errors', description: '', status: 'To Do', type: 'Epic', parent: `${project}-90` },
      {
        key: story,
        summary: 'NodePool condition for quota',
        description: 'Add a QuotaExceeded condition.',
        status: 'To Do',
        type: 'Story',
        parent: `${project}-2200`,
      },
    ],
    'jira-token-000',
  );
  return () => jira.close();
});

const secret = 'dashboard-secret-for-the-jira-test-0000';
const product = useSlackProduct({ dashboardSecret: secret, runtime: () => ({ processEnv: { JIRA_URL: jira.url, JIRA_TOKEN: 'jira-token-000' } }) });
const gateOf = (key: string) => product.newDm('maria', (m) => seen(m).includes(`Plan gate — ${key}`), `the plan gate of ${key}`, 90_000);
/** A comment's text as Jira's wiki renderer would show it, from the ADF the product sent. */
const plain = (body: unknown) =>
  commentWiki(
    ((body as { content: Array<{ content: Array<{ text: string; marks?: Array<{ attrs: { href: string } }> }> }> }).content ?? []).map((p) =>
      p.content.map((t) => (t.marks?.length ? { text: t.text, href: t.marks[0]!.attrs.href } : t.text)),
    ) as CommentBody,
  );

describe('planning from a Jira ticket', () => {
  it("an epic's two stories are what its first phases deliver: in the plan gate and on the work item's page", async () => {
    const { ws, dm } = product;
    expect((await ws.slashCommand('maria', dm('maria'), '/sitroom', `plan ${epic} NodePool should report capacity errors per platform`)).status).toBe(200);
    const gate = await gateOf(epic);
    // The title is the ticket's; the phases in merge order deliver the stories in the epic's rank order.
    expect(seen(gate)).toContain(`Plan for ${epic}: NodePool should report capacity errors per platform`);
    expect(gate.text + JSON.stringify(gate.blocks)).toMatch(new RegExp(`1\\. [^\\n"]+ · delivers ${storyApi}`));
    expect(gate.text + JSON.stringify(gate.blocks)).toMatch(new RegExp(`2\\. [^\\n"]+ · delivers ${storyAws}`));
    // Only the epic's own stories (not the other epic's); the phases after them deliver none.
    const state = await product.rt.orchestrator.workItem!(epic);
    expect(state?.plan?.phases.map((p) => p.story)).toEqual([storyApi, storyAws, undefined, undefined]);
    // The search that found them is Jira Cloud's current one.
    expect(jira.requests).toContain('POST /rest/api/3/search/jql');

    const cookie = await product.signIn('maria');
    const page = await (await fetch(`${product.surfaces.http.url}/dashboard/work-items/${epic}`, { headers: { cookie } })).text();
    expect(page).toContain(`delivers ${storyApi}`);
    expect(page).toContain(`delivers ${storyAws}`);
  }, 180_000);

  it("the briefing reads the ticket's status in Jira when it is built: changed in Jira between two briefings, it shows the change", async () => {
    const { ws, dm, rt } = product;
    const briefingOf = (date: string) =>
      until(() => ws.messagesIn(dm('maria')).find((m) => m.text.startsWith(`Briefing for ${date}:`)), `maria's briefing of ${date}`, 60_000).then(seen);
    const line = (status: string) =>
      new RegExp(`\\*${epic}\\* NodePool should report capacity errors per platform — awaiting-plan-approval[^"]* · Jira: ${status}"`);
    expect((await ws.slashCommand('maria', dm('maria'), '/sitroom', 'briefing')).status).toBe(200);
    const today = /Briefing for (\d{4}-\d{2}-\d{2}):/.exec(
      (await until(() => ws.messagesIn(dm('maria')).find((m) => m.text.startsWith('Briefing for')), "maria's briefing", 60_000)).text,
    )![1]!;
    expect(await briefingOf(today)).toMatch(line('In Progress'));

    // Slack gets one briefing a day: the next ones are the next mornings', built and delivered as the Schedule's
    // workflow does (assembleBriefing, then the outbox keyed by developer and date).
    const morning = async (daysAhead: number) => {
      const at = new Date(Date.now() + daysAhead * 86_400_000).toISOString();
      const next = await rt.core.activities.assembleBriefing({ developerId: 'maria', at });
      await rt.core.activities.notify({ dedupeKey: `briefing:maria:${next.date}`, developerId: 'maria', urgency: 'decision', payload: next });
      return briefingOf(next.date);
    };
    jira.issues.find((i) => i.key === epic)!.status = 'Code Review';
    // One read per ticket while the briefing cache lasts (15 s), so a morning of briefings reads each ticket about once.
    await new Promise((r) => setTimeout(r, 16_000));
    expect(await morning(1)).toMatch(line('Code Review'));
    // Jira rate-limits the next read: the briefing says so instead of failing or waiting.
    jira.rateLimitNext(1, 30);
    await new Promise((r) => setTimeout(r, 16_000));
    expect(await morning(2)).toMatch(line('status unavailable'));
  }, 240_000);

  it('a story is a work item of one story: its PR is commented on once (a lost Jira reply and a retry do not double it), and so is its resolution', async () => {
    const { ws, dm, newDm, current } = product;
    expect((await ws.slashCommand('maria', dm('maria'), '/sitroom', `plan ${story} add a NodePool condition type QuotaExceeded`)).status).toBe(200);
    const gate = await gateOf(story);
    expect(seen(gate)).toContain(`delivers ${story}`);
    // Jira commits the first comment but its reply is lost: the activity is retried and finds it by its business key.
    jira.loseNextCommentReply();
    expect((await ws.tap('maria', gate, 'sitroom:decide:approve-plan')).status).toBe(200);
    const phaseGate = await newDm('maria', (m) => seen(m).includes(`Phase gate — ${story}`), 'the phase gate', 90_000).catch(() => undefined);
    if (phaseGate) expect((await ws.tap('maria', current('maria', phaseGate), 'sitroom:decide:approve-phase')).status).toBe(200);

    const onStory = () => jira.comments.filter((c) => c.key === story);
    const ready = await until(() => onStory().find((c) => plain(c.body).includes('is ready for review')), 'the PR-ready comment', 240_000);
    expect(plain(ready.body)).toMatch(/phase "[^"]+" \(\w[\w-]*\) of .+ is ready for review: \[\S+\|\S+\]/);
    expect(plain(ready.body)).toMatch(/CI: .+/);
    expect(plain(ready.body)).toMatch(/Confidence: L1 \w+/);
    const resolved = await until(() => onStory().find((c) => plain(c.body).includes('is resolved')), 'the resolution comment', 240_000);
    expect(plain(resolved.body)).toMatch(new RegExp(`${story} "NodePool condition for quota" is resolved\\. 1 of 1 phases merged`));
    // One comment each, and the lost reply was followed by a retry that found it.
    expect(onStory().map((c) => (plain(c.body).includes('is resolved') ? 'resolved' : 'ready'))).toEqual(['ready', 'resolved']);
    expect(jira.requests.filter((r) => r === `POST /rest/api/3/issue/${story}/comment`)).toHaveLength(2);
    expect(jira.requests.filter((r) => r.startsWith('POST /rest/api/3/comment/list')).length).toBeGreaterThanOrEqual(2);
  }, 420_000);

  it('plans from the intention alone when the ticket does not exist', async () => {
    const { ws, dm } = product;
    const missing = `${project}-9999`;
    expect((await ws.slashCommand('maria', dm('maria'), '/sitroom', `plan ${missing} add a NodePool condition type CapacityError`)).status).toBe(200);
    const gate = await gateOf(missing);
    expect(seen(gate)).toContain(`Plan for ${missing}: add a NodePool condition type CapacityError`);
    expect(seen(gate)).not.toContain('delivers');
  }, 120_000);
});

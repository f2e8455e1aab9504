// Slack's agent surface on the whole product (Temporal worker, store, offline RH-A, the real Bolt app and the
// local workspace), driven as a person does: the DM opens with prompts fitted to Maria's work item, a question
// gets a status then a streamed answer, "Open dashboard" signs her in on her work item's page, a gate message
// names its workflow in metadata, a curator approves a knowledge proposal from the review DM, and a new
// teammate's role file makes them known to Slack with a briefing Schedule, without a restart.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import type { StoredMessage } from '../../src/local-slack/server.js';
import { decisions } from '../../src/db/schema/core.js';
import { keepRosterCurrent } from '../../src/main/processes.js';
import { ActionIds } from '../../src/slack/ids.js';
import { briefingScheduleId } from '../../workflows/ids.js';
import { startTestRuntime, type TestRuntime } from '../support/runtime.js';
import { startSurfaces, type Surfaces } from '../support/surfaces.js';
import { seen, until } from '../support/slack-view.js';

let rt: TestRuntime;
let surfaces: Surfaces;
let ws: Surfaces['workspace'];
let stopRoster: () => void;
const dashboardSecret = 'e2e-dashboard-secret-with-32-characters-or-more';
const key = `HOSTEDCP-${Math.floor(Math.random() * 1e8)}`;

beforeAll(async () => {
  rt = await startTestRuntime();
  surfaces = await startSurfaces(rt, { dashboardSecret });
  ws = surfaces.workspace;
  // As `sitroom slack` does: role files are watched and applied without a restart.
  stopRoster = keepRosterCurrent(rt.core, { client: rt.env.client, taskQueue: rt.taskQueue }, { everyMs: 200 });
}, 120_000);

afterAll(async () => {
  stopRoster?.();
  await surfaces?.stop();
  await rt?.stop();
});

const dm = (user: string) => ws.dmChannel(ws.user(user).id);
const dmOf = (user: string) => ws.messagesIn(dm(user));

describe("Slack's agent surface", () => {
  let gate: StoredMessage;
  let answer: StoredMessage;

  it('a gate message carries metadata that names its workflow', async () => {
    expect((await ws.slashCommand('maria', dm('maria'), '/sitroom', `plan ${key} NodePool should report capacity errors per platform`)).status).toBe(200);
    gate = await until(() => dmOf('maria').find((m) => seen(m).includes(`Plan gate — ${key}`)), 'the plan gate', 60_000);
    expect(gate.metadata).toEqual({ event_type: 'sitroom_gate', event_payload: { work_item_key: key, gate: 'plan', workflow_id: `work-item:${key}` } });
  });

  it('opening the DM offers prompts about her work item', async () => {
    await ws.openMessages('maria');
    const pinned = await until(() => ws.suggestedPromptsIn('maria'), 'suggested prompts');
    expect(pinned.prompts.some((p) => p.title.includes(key) || p.message.includes(key))).toBe(true);
  });

  it('a question gets a status, then the answer streamed into its thread with feedback buttons', async () => {
    const sent = await ws.sendMessage('maria', dm('maria'), 'Which component owns NodePool conditions?');
    answer = await until(() => ws.threadReplies(dm('maria'), sent.ts).find((m) => m.stream?.state === 'completed'), 'the streamed answer', 60_000);
    const statuses = ws.statuses.filter((s) => s.threadTs === sent.ts).map((s) => s.status);
    expect(statuses[0]).toBe('is thinking…');
    expect(ws.apiCalls.some((c) => c.method === 'chat.startStream' && c.args.thread_ts === sent.ts)).toBe(true);
    expect(answer.text.length).toBeGreaterThan(20);
    expect((answer.blocks ?? []).some((b) => (b as { type: string }).type === 'context_actions')).toBe(true);

    await ws.tapFeedback('maria', answer, ActionIds.answerFeedback, 'positive');
    await ws.tapFeedback('maria', answer, ActionIds.answerFeedback, 'positive');
    const rows = () =>
      rt.core.store.db
        .select()
        .from(decisions)
        .where(and(eq(decisions.kind, 'answer-feedback'), eq(decisions.actor, 'maria')));
    await until(async () => (await rows()).length > 0, 'the feedback row');
    await new Promise((r) => setTimeout(r, 500));
    expect(await rows()).toHaveLength(1);
  });

  it('"Open dashboard" signs her in on her work item’s page', async () => {
    const before = ws.ephemeralsFor('maria').length;
    await ws.tap('maria', answer, ActionIds.openDashboard);
    const link = await until(
      () =>
        ws
          .ephemeralsFor('maria')
          .slice(before)
          .find((e) => e.text.includes('/dashboard/login')),
      'the sign-in link',
    );
    const url = /http:\/\/\S+/.exec(link.text)![0];
    const login = await fetch(url, { redirect: 'manual' });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe(`/dashboard/work-items/${key}`);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const page = await fetch(new URL(login.headers.get('location')!, url), { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(key);
  });

  it('a curator gets the proposal in review as a DM and approves it there', async () => {
    const { proposals } = rt.core.knowledge;
    const proposal = await proposals.proposeFromResolvedWorkItem({
      workItemKey: key,
      developerId: 'sam',
      draft: {
        id: `capacity-errors-${Date.now()}`,
        title: 'Report capacity errors per platform',
        body: 'Each platform maps its capacity error to the NodePool condition in one place.',
        applicability: { components: [], files: ['api/hypershift/v1beta1/nodepool_conditions.go'], platforms: [] },
      },
    });
    await proposals.respondToProposal(proposal.id, 'sam', 'yes');
    await surfaces.slack.sendReviewDms();
    const review = await until(
      () => dmOf('priya').find((m) => m.text.includes('Knowledge proposal to review') && m.text.includes('Report capacity errors')),
      'the review DM',
    );
    await ws.tap('priya', review, ActionIds.curateApprove);
    await ws.tap('priya', review, ActionIds.curateApprove);
    const reviewed = await until(
      async () => ((await proposals.getProposal(proposal.id))?.status === 'approved' ? proposals.getProposal(proposal.id) : undefined),
      'the approval',
    );
    expect(reviewed?.reviewer).toBe('priya');
    await until(
      () =>
        dmOf('priya')
          .find((m) => m.ts === review.ts)
          ?.text.includes('Approved by you')
          ? true
          : undefined,
      'the review DM updated',
    );
  });

  it('a new role file makes the teammate known to Slack and creates their briefing Schedule, without a restart', async () => {
    const slackId = 'U0NOOR0007';
    ws.addUser({ id: slackId, name: 'noor', realName: 'Noor Haddad' });
    writeFileSync(
      join(rt.core.targetRepo, '.rh-agentic', 'roles', 'noor.yaml'),
      [
        'developer: noor',
        'display_name: Noor Haddad',
        `slack_user_id: ${slackId}`,
        'time_zone: Europe/Berlin',
        'persona: new-engineer',
        'experience: new',
        'notifications:',
        '  briefing_time: "08:30"',
        '',
      ].join('\n'),
    );
    const schedule = await until(
      async () =>
        rt.env.client.schedule
          .getHandle(briefingScheduleId('noor'))
          .describe()
          .catch(() => undefined),
      'the briefing schedule',
      30_000,
    );
    expect(schedule.spec.timezone).toBe('Europe/Berlin');
    const sent = await ws.sendMessage('noor', dm('noor'), 'What does the NodePool controller do?');
    const reply = await until(
      () => ws.threadReplies(dm('noor'), sent.ts).find((m) => m.user === ws.botUserId && m.stream?.state === 'completed'),
      'an answer to the new teammate',
      60_000,
    );
    expect(reply.text).not.toContain('not on this team');
  });
});

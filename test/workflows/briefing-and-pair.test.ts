// A briefing schedule that fires, and a pair session from first message to personal memory, on the real
// dev server with the real composition root.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { notificationOutbox } from '../../src/db/schema/core.js';
import { upsertWorkItem } from '../../src/db/work-items.js';
import { briefingScheduleOptions, ensureBriefingSchedules } from '../../src/orchestrator/schedules.js';
import { pairSessionStateQuery } from '../../workflows/definitions.js';
import { briefingScheduleId, pairSessionWorkflowId } from '../../workflows/ids.js';
import { recordHistory } from '../support/histories.js';
import { eventually, startTestRuntime, type TestRuntime } from '../support/runtime.js';

let rt: TestRuntime;
beforeAll(async () => {
  rt = await startTestRuntime();
});
afterAll(async () => rt?.stop());

describe('morning briefing schedule', () => {
  it('is created once per developer in their time zone and fires a briefing into their DM outbox', async () => {
    const roles = [...rt.core.config.current().roles.values()].map((r) => ({ ...r, developer: `${r.developer}` }));
    const maria = rt.core.config.current().roles.get('maria')!;
    const options = briefingScheduleOptions(maria, rt.taskQueue);
    expect(options.spec).toMatchObject({ timezone: 'Europe/Madrid', calendars: [{ hour: 8, minute: 30 }] });
    expect(options.policies).toMatchObject({ overlap: 'SKIP', catchupWindow: '2 hours' });

    // The shared dev server keeps schedules across test files: use this runtime's own task queue, and
    // creating twice must update rather than fail or duplicate.
    const ids = await ensureBriefingSchedules(rt.env.client, roles, rt.taskQueue);
    await ensureBriefingSchedules(rt.env.client, roles, rt.taskQueue);
    expect(ids).toContain(briefingScheduleId('maria'));
    const described = await rt.env.client.schedule.getHandle(briefingScheduleId('maria')).describe();
    expect(described.action).toMatchObject({ workflowType: 'morningBriefingWorkflow', taskQueue: rt.taskQueue });

    await upsertWorkItem(rt.core.store.db, {
      key: `${rt.keyPrefix}-7`,
      ownerId: 'maria',
      title: 'Report capacity errors per platform',
      intention: 'capacity',
      workflowId: 'n/a',
      status: 'executing',
    });
    await rt.core.knowledge.memory.updateMemory('maria', 'maria', { hypothesis: 'Azure quota errors are lost at the Machine → NodePool step' });
    await rt.env.client.schedule.getHandle(briefingScheduleId('maria')).trigger();
    const [row] = await eventually(
      () =>
        rt.core.store.db
          .select()
          .from(notificationOutbox)
          .where(and(eq(notificationOutbox.developerId, 'maria'), eq(notificationOutbox.kind, 'briefing'))),
      (rows) => rows.length > 0,
      "maria's briefing",
    );
    expect(row!.dedupeKey).toMatch(/^briefing:maria:\d{4}-\d{2}-\d{2}$/);
    expect(row!.payload).toMatchObject({
      kind: 'briefing',
      developerId: 'maria',
      activeWorkItem: { key: `${rt.keyPrefix}-7`, title: 'Report capacity errors per platform' },
      hypothesis: 'Azure quota errors are lost at the Machine → NodePool step',
    });
    const runs = await rt.env.client.workflow.list({ query: `WorkflowType = 'morningBriefingWorkflow' AND TaskQueue = '${rt.taskQueue}'` });
    for await (const run of runs) {
      await recordHistory(rt.env.client, run.workflowId, 'briefing');
      break;
    }
  });
});

describe('pair session', () => {
  it('answers each message in the thread with a review, ends on "done" and keeps a summary in personal memory', async () => {
    const channel = 'D0MARIA';
    const threadTs = `${Date.now() / 1000}`;
    const sessionId = pairSessionWorkflowId(channel, threadTs);
    const handle = await rt.env.client.workflow.start('pairSessionWorkflow', {
      taskQueue: rt.taskQueue,
      workflowId: sessionId,
      args: [{ sessionId, developerId: 'maria', workItemKey: `${rt.keyPrefix}-8`, phaseId: 'integration', channel, threadTs, inactivityMs: 3_600_000 }],
    });
    const snippet = [
      'for _, np := range nodePools {',
      '  machines, _ := r.listMachines(ctx, np)',
      '  msg := ""',
      '  for _, m := range machines { msg += m.Name + " failed: " + m.Status.FailureMessage + ", " }',
      '  SetStatusCondition(&np.Status.Conditions, Condition{Type: "CapacityError", Reason: "quota_exceeded", Message: msg})',
      '}',
    ].join('\n');
    await rt.orchestrator.pairMessage({ channel, threadTs, developerId: 'maria', text: snippet, messageTs: '1.1' });
    await rt.orchestrator.pairMessage({ channel, threadTs, developerId: 'maria', text: snippet, messageTs: '1.1' }); // Slack redelivery
    const replies = await eventually(
      () => rt.core.store.db.select().from(notificationOutbox).where(eq(notificationOutbox.kind, 'pair-reply')),
      (rows) => rows.some((r) => r.dedupeKey === `pair-reply:${sessionId}:1.1`),
      'the review reply',
    );
    const reply = replies.find((r) => r.dedupeKey === `pair-reply:${sessionId}:1.1`)!.payload as { text: string; threadTs: string };
    expect(reply.threadTs).toBe(threadTs);
    expect(reply.text).toMatch(/CamelCase/);
    expect(reply.text).toMatch(/count|summar/i);
    expect(replies.filter((r) => r.dedupeKey.startsWith(`pair-reply:${sessionId}:`))).toHaveLength(1);

    await rt.orchestrator.pairMessage({ channel, threadTs, developerId: 'maria', text: 'done', messageTs: '1.2' });
    const final = await handle.result();
    expect(final).toMatchObject({ open: false, messages: 2 });
    expect(final.summary).toMatch(/findings/);
    expect(await handle.query(pairSessionStateQuery)).toMatchObject({ open: false });
    const memory = await rt.core.knowledge.memory.readMemory('maria', 'maria');
    expect(memory.leftOff).toMatch(new RegExp(`${rt.keyPrefix}-8`));
    await recordHistory(rt.env.client, sessionId, 'pair-session');
  });
});

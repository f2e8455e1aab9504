// Gates that wait too long: a reminder after gate_reminder_after (4h), an escalation to the backup approver
// after gate_escalate_after (24h). Runs on Temporal's time-skipping test server: hours pass in milliseconds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { notificationOutbox } from '../../src/db/schema/core.js';
import { decisionsFor } from '../../src/db/work-items.js';
import { approvePlanUpdate, workItemStateQuery } from '../../workflows/definitions.js';
import { workItemWorkflowId } from '../../workflows/ids.js';
import { startOrchestra, type Orchestra } from '../support/orchestra.js';
import { recordHistory } from '../support/histories.js';
import { startTimeSkippingEnvironment } from '../support/temporal.js';
import type { TestWorkflowEnvironment } from '@temporalio/testing';

let env: TestWorkflowEnvironment;
let orchestra: Orchestra;
beforeAll(async () => {
  env = await startTimeSkippingEnvironment();
  orchestra = await startOrchestra({}, { env });
});
afterAll(async () => {
  await orchestra?.stop();
  await env?.teardown();
});

const hour = 3_600_000;

describe('a phase gate nobody decides', () => {
  it('reminds the owner after 4 hours and escalates to the backup approver after 24', async () => {
    const key = `${orchestra.keyPrefix}-1`;
    const handle = await env.client.workflow.start('workItemWorkflow', {
      taskQueue: orchestra.taskQueue,
      workflowId: workItemWorkflowId(key),
      args: [
        {
          key,
          ownerId: 'maria',
          title: 'Capacity condition',
          intention: 'add a NodePool condition type CapacityError',
          plan: {
            workItemKey: key,
            intention: 'add a NodePool condition type CapacityError',
            summary: '',
            phases: [
              {
                id: 'api',
                title: 'Condition type and reason',
                activity: 'api_changes',
                files: ['api/hypershift/v1beta1/nodepool_conditions.go'],
                constraints: [],
                validation: [],
                dependsOn: [],
                mergeOrder: 1,
              },
            ],
          },
        },
      ],
    });
    while ((await handle.query(workItemStateQuery)).status !== 'awaiting-plan-approval') await env.sleep(1_000);
    await handle.executeUpdate(approvePlanUpdate, { args: [{ actor: 'maria', surface: 'slack-button' }] });

    const outbox = async (developerId: string) =>
      (await orchestra.store.db.select().from(notificationOutbox).where(eq(notificationOutbox.developerId, developerId)))
        .filter((n) => n.kind === 'gate')
        .map((n) => n.payload as { phaseId?: string; reminder?: string });

    await env.sleep(3 * hour);
    expect((await outbox('maria')).filter((p) => p.phaseId === 'api')).toEqual([expect.not.objectContaining({ reminder: expect.anything() })]);

    await env.sleep(1 * hour + 60_000);
    expect((await outbox('maria')).filter((p) => p.reminder === 'reminder')).toHaveLength(1);
    expect((await decisionsFor(orchestra.store.db, key)).map((d) => d.kind)).toContain('gate-reminder');
    expect(await outbox('priya')).toEqual([]);

    await env.sleep(20 * hour);
    expect(await outbox('priya')).toEqual([expect.objectContaining({ phaseId: 'api', reminder: 'escalation' })]);
    const escalation = (await decisionsFor(orchestra.store.db, key)).find((d) => d.kind === 'gate-escalation');
    expect(escalation).toMatchObject({ actor: 'rh-o', surface: 'automatic', detail: expect.objectContaining({ escalatedTo: 'priya' }) });
    const state = await handle.query(workItemStateQuery);
    expect(state.phases[0]).toMatchObject({ status: 'awaiting-approval', escalatedTo: 'priya' });
    await recordHistory(env.client, workItemWorkflowId(key), 'work-item-gate-reminder');
  });
});

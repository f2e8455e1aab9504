// A work item as the workflow tests start it: the workflow on the orchestra's task queue under its
// business-key id, held until it asks for plan approval, the first gate each of them decides on.
import type { WorkflowStartOptions } from '@temporalio/client';
import { workItemStateQuery } from '../../workflows/definitions.js';
import { workItemWorkflowId } from '../../workflows/ids.js';
import type { WorkItemInput } from '../../workflows/work-item.js';
import type { Orchestra } from './orchestra.js';
import { waitUntil } from './wait.js';

export async function startWorkItem(orchestra: Orchestra, input: WorkItemInput, options: Pick<WorkflowStartOptions, 'workflowTaskTimeout'> = {}) {
  const handle = await orchestra.env.client.workflow.start('workItemWorkflow', {
    taskQueue: orchestra.taskQueue,
    workflowId: workItemWorkflowId(input.key),
    ...options,
    args: [input],
  });
  await waitUntil(async () => (await handle.query(workItemStateQuery)).status === 'awaiting-plan-approval');
  return handle;
}

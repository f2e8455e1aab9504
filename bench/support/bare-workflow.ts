// The orchestrator bench's baseline: a workflow with one update handler that returns at once and calls no
// activity, so a round trip against it costs only what Temporal itself costs (server + one workflow task).
import { condition, defineQuery, defineSignal, defineUpdate, setHandler } from '@temporalio/workflow';

export const bareUpdate = defineUpdate<number, [number]>('bare');
export const bareStopSignal = defineSignal('bareStop');
/** The baseline's read-back: how many updates it has handled. */
export const bareHandledQuery = defineQuery<number>('bareHandled');

export async function bareWorkflow(): Promise<number> {
  let handled = 0;
  let stop = false;
  setHandler(bareUpdate, (n) => {
    handled += 1;
    return n;
  });
  setHandler(bareHandledQuery, () => handled);
  setHandler(bareStopSignal, () => {
    stop = true;
  });
  await condition(() => stop);
  return handled;
}

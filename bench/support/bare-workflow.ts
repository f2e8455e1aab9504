// The orchestrator bench's baseline: a workflow with one update handler that returns at once and calls no
// activity, so a round trip against it costs only what Temporal itself costs (server + one workflow task).
import { condition, defineSignal, defineUpdate, setHandler } from '@temporalio/workflow';

export const bareUpdate = defineUpdate<number, [number]>('bare');
export const bareStopSignal = defineSignal('bareStop');

export async function bareWorkflow(): Promise<number> {
  let handled = 0;
  let stop = false;
  setHandler(bareUpdate, (n) => {
    handled += 1;
    return n;
  });
  setHandler(bareStopSignal, () => {
    stop = true;
  });
  await condition(() => stop);
  return handled;
}

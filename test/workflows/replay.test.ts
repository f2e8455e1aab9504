// Every committed history must replay on the current workflow code without a non-determinism error.
import { readdirSync } from 'node:fs';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { historiesDir, loadHistory } from '../support/histories.js';
import { workflowBundle } from '../support/temporal.js';

const files = readdirSync(historiesDir)
  .filter((f) => f.endsWith('.json'))
  .sort();

describe('replay of committed histories', () => {
  it('has a history for every workflow type', () => {
    const types = new Set(files.map((f) => loadHistory(f).workflowType));
    expect([...types].sort()).toEqual([
      'askWorkflow',
      'ciWatchWorkflow',
      'morningBriefingWorkflow',
      'pairSessionWorkflow',
      'phaseWorkflow',
      'workItemWorkflow',
    ]);
  });

  for (const file of files) {
    it(`replays ${file}`, async () => {
      const { history, workflowId } = loadHistory(file);
      await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, workflowId);
    });
  }
});

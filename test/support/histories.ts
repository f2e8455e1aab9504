// Replay tests guard workflow determinism: histories of real runs are committed under test/histories/
// and replayed against the current workflow code. `RECORD_HISTORIES=1 npm test` refreshes them.
//
// Histories are stored as the protobuf encoding (base64) with a readable list of event types beside it:
// @temporalio/common 1.24 ships its own protobufjs copy, so its JSON helpers cannot read the client's
// History objects; the binary form round-trips exactly.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { repoRoot } from '../../src/paths.js';

export const historiesDir = join(repoRoot, 'test', 'histories');

interface StoredHistory {
  workflowType: string;
  /** Replay needs the original id: workflows derive child and update ids from it. */
  workflowId: string;
  events: string[];
  encoding: 'protobuf-base64';
  data: string;
}

export async function recordHistory(client: Client, workflowId: string, name: string): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const history = temporal.api.history.v1.History.fromObject(await client.workflow.getHandle(workflowId).fetchHistory());
  const stored: StoredHistory = {
    workflowType: history.events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? 'unknown',
    workflowId,
    events: history.events.map((e) => `${String(e.eventId)} ${temporal.api.enums.v1.EventType[e.eventType ?? 0]}`),
    encoding: 'protobuf-base64',
    data: Buffer.from(temporal.api.history.v1.History.encode(history).finish()).toString('base64'),
  };
  mkdirSync(historiesDir, { recursive: true });
  writeFileSync(join(historiesDir, `${name}.json`), JSON.stringify(stored, null, 1) + '\n');
}

export function loadHistory(file: string): { workflowType: string; workflowId: string; history: temporal.api.history.v1.History } {
  const stored = JSON.parse(readFileSync(join(historiesDir, file), 'utf8')) as StoredHistory;
  return {
    workflowType: stored.workflowType,
    workflowId: stored.workflowId,
    history: temporal.api.history.v1.History.decode(Buffer.from(stored.data, 'base64')),
  };
}

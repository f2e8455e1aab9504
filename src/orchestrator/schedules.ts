// One Temporal Schedule per developer ("briefing-<developer>") fires the morning briefing at the time and
// in the time zone of their role file, on weekdays. Creation is idempotent: an existing schedule is
// updated to the current role file instead of duplicated. One more ("model-drift") checks the domain model
// against the target's default branch every hour.
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import type { RoleFile } from '../config/schema.js';
import type { ModelDriftResult } from '../../workflows/model-drift.js';
import {
  briefingScheduleId,
  ciHistoryImportScheduleId,
  ciHistoryImportWorkflowId,
  followUpBugsScheduleId,
  followUpBugsWorkflowId,
  knowledgeStalenessScheduleId,
  modelDriftScheduleId,
  modelDriftWorkflowId,
} from '../../workflows/ids.js';

/** How late a missed briefing may still be sent after downtime; later than this it would be noise. */
export const briefingCatchupWindow = '2 hours';

export function briefingScheduleOptions(role: RoleFile, taskQueue: string): ScheduleOptions {
  const [hour, minute] = role.notifications.briefing_time.split(':').map(Number) as [number, number];
  return {
    scheduleId: briefingScheduleId(role.developer),
    spec: {
      calendars: [{ hour, minute, dayOfWeek: [{ start: 'MONDAY', end: 'FRIDAY' }] }],
      timezone: role.time_zone,
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: briefingCatchupWindow },
    action: {
      type: 'startWorkflow',
      workflowType: 'morningBriefingWorkflow',
      // The server appends the scheduled time, so each morning has its own business-keyed id.
      workflowId: `briefing:${role.developer}`,
      taskQueue,
      args: [{ developerId: role.developer }],
    },
  };
}

/** How often the domain model is checked against the target's default branch (each run fetches it first). */
export const modelDriftInterval = '1 hour';

export function modelDriftScheduleOptions(taskQueue: string): ScheduleOptions {
  return {
    scheduleId: modelDriftScheduleId,
    spec: { intervals: [{ every: modelDriftInterval }] },
    // A missed hour is not worth a catch-up run: the next one checks the newer head anyway.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '10 minutes' },
    action: { type: 'startWorkflow', workflowType: 'modelDriftWorkflow', workflowId: modelDriftWorkflowId, taskQueue, args: [] },
  };
}

async function createOrUpdate(client: Client, options: ScheduleOptions): Promise<string> {
  try {
    await client.schedule.create(options);
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule
      .getHandle(options.scheduleId)
      .update((previous) => ({ ...previous, spec: options.spec, policies: options.policies, action: options.action }));
  }
  return options.scheduleId;
}

export async function ensureModelDriftSchedule(client: Client, taskQueue: string): Promise<string> {
  return createOrUpdate(client, modelDriftScheduleOptions(taskQueue));
}

/** One drift check now, outside the schedule (`sitroom model drift`); the id carries the start time. */
export async function runModelDriftNow(client: Client, taskQueue: string, now = new Date()): Promise<ModelDriftResult> {
  return client.workflow.execute('modelDriftWorkflow', { workflowId: `${modelDriftWorkflowId}:now:${now.toISOString()}`, taskQueue, args: [] });
}

export async function ensureBriefingSchedules(client: Client, roles: Iterable<RoleFile>, taskQueue: string): Promise<string[]> {
  const ids: string[] = [];
  for (const role of roles) {
    ids.push(await createOrUpdate(client, briefingScheduleOptions(role, taskQueue)));
  }
  return ids;
}

/** "24h", "30m", "7d" (team.yaml knowledge.staleness_scan_every) in milliseconds. */
export function scanInterval(every: string): number {
  const match = /^(\d+)\s*(m|h|d)$/.exec(every.trim());
  if (!match) throw new Error(`knowledge.staleness_scan_every "${every}" is not a duration like "24h"`);
  return Number(match[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'm' | 'h' | 'd'];
}

export function stalenessScheduleOptions(every: string, taskQueue: string): ScheduleOptions {
  return {
    scheduleId: knowledgeStalenessScheduleId,
    spec: { intervals: [{ every: scanInterval(every) }] },
    // A scan missed during downtime is simply done at the next interval.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
    action: { type: 'startWorkflow', workflowType: 'knowledgeStalenessWorkflow', workflowId: 'knowledge-staleness-scan', taskQueue, args: [] },
  };
}

/** The team's staleness scan as a Temporal Schedule; an existing one is updated to the current interval. */
export async function ensureStalenessSchedule(client: Client, every: string, taskQueue: string): Promise<string> {
  return createOrUpdate(client, stalenessScheduleOptions(every, taskQueue));
}

/** Sippy's test history imported every `everyMs` (team.yaml ci.sippy.import_every); the first run starts at once. */
export function ciHistoryImportScheduleOptions(everyMs: number, taskQueue: string): ScheduleOptions {
  return {
    scheduleId: ciHistoryImportScheduleId,
    spec: { intervals: [{ every: everyMs }] },
    // A missed import is not caught up: the next one reads the newer report anyway.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
    action: { type: 'startWorkflow', workflowType: 'ciHistoryImportWorkflow', workflowId: ciHistoryImportWorkflowId, taskQueue, args: [] },
  };
}

/** The Sippy import Schedule, created or updated, and triggered once so decisions have history from the start. */
export async function ensureCiHistorySchedule(client: Client, everyMs: number, taskQueue: string): Promise<string> {
  const created = await createOrUpdate(client, ciHistoryImportScheduleOptions(everyMs, taskQueue));
  await client.schedule.getHandle(created).trigger(ScheduleOverlapPolicy.SKIP);
  return created;
}

/** Jira's follow-up bugs checked every `everyMs` (team.yaml jira.follow_up_check_every). */
export function followUpBugsScheduleOptions(everyMs: number, taskQueue: string): ScheduleOptions {
  return {
    scheduleId: followUpBugsScheduleId,
    spec: { intervals: [{ every: everyMs }] },
    // A missed check is not caught up: the next one reads the same links, and every window is days long.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
    action: { type: 'startWorkflow', workflowType: 'followUpBugsWorkflow', workflowId: followUpBugsWorkflowId, taskQueue, args: [] },
  };
}

/** The follow-up bug Schedule, created or updated to the current interval. */
export async function ensureFollowUpBugsSchedule(client: Client, everyMs: number, taskQueue: string): Promise<string> {
  return createOrUpdate(client, followUpBugsScheduleOptions(everyMs, taskQueue));
}

// The workflow-task counters a worker exports (Temporal's Prometheus names): sticky cache hits and misses, and
// where each workflow task's time went, read before and after a measurement.
import { workerMetrics } from './temporal.js';

/** The worker's own counters (Temporal's Prometheus names), summed over every worker in this process. */
export interface TaskCounters {
  hits: number;
  misses: number;
  tasks: number;
  scheduleToStartMs: number;
  executionMs: number;
  replays: number;
  replayMs: number;
  failed: number;
}

export async function taskCounters(): Promise<TaskCounters | undefined> {
  const m = await workerMetrics();
  if (!m) return undefined;
  // A counter is exported once it first moves: absent means zero.
  const get = (name: string) => m.get(`temporal_${name}`) ?? m.get(name) ?? 0;
  return {
    hits: get('sticky_cache_hit'),
    misses: get('sticky_cache_miss'),
    tasks: get('workflow_task_execution_latency_count'),
    scheduleToStartMs: get('workflow_task_schedule_to_start_latency_sum'),
    executionMs: get('workflow_task_execution_latency_sum'),
    replays: get('workflow_task_replay_latency_count'),
    replayMs: get('workflow_task_replay_latency_sum'),
    failed: get('workflow_task_execution_failed'),
  };
}

export function countersBetween(a: TaskCounters | undefined, b: TaskCounters | undefined): TaskCounters | undefined {
  if (!a || !b) return undefined;
  return Object.fromEntries(Object.keys(a).map((k) => [k, b[k as keyof TaskCounters] - a[k as keyof TaskCounters]])) as unknown as TaskCounters;
}

export const hitRate = (c: TaskCounters | undefined) => (c && c.hits + c.misses > 0 ? c.hits / (c.hits + c.misses) : NaN);

/** Where a workflow task's time went, from the worker's histograms (means over the tasks between two readings). */
export function taskProfile(c: TaskCounters | undefined): string {
  if (!c || c.tasks === 0) return 'n/a (no worker metrics)';
  const mean = (sum: number, n: number) => (n > 0 ? (sum / n).toFixed(1) : '0');
  return (
    `${c.tasks} workflow tasks: waited ${mean(c.scheduleToStartMs, c.tasks)} ms on the queue, ran ${mean(c.executionMs, c.tasks)} ms on the worker; ` +
    `${c.replays} replays of ${mean(c.replayMs, c.replays)} ms; ${c.failed} failed; sticky ${c.hits}/${c.misses} hit/miss`
  );
}

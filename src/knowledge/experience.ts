// Tier 2, experience written automatically: the CI history of each test and what it says about the test's
// health, steps people keep forgetting during plan execution, and summaries of resolved tickets. Nobody
// reviews these entries, so they never outrank the pattern library; a curator may promote one into it.
import type { Database } from '../db/client.js';
import { experienceRows, experienceRowsByKeys, insertTestRun, latestTestRunRows, upsertExperienceRow, type ExperienceRow } from '../db/knowledge-experience.js';
import { redactSecrets } from '../observability/logger.js';
import { failureSignature, testStatistics, type FlakePolicy, type TestRun, type TestStatistics } from './flakes.js';
import type { Applicability } from './patterns.js';

export interface ExperienceEntry {
  key: string;
  kind: 'ci-test' | 'plan-slip' | 'ticket-summary';
  title: string;
  body: string;
  applicability: Applicability;
  topics: string[];
  data: Record<string, unknown>;
  occurrences: number;
  promotedTo: string | null;
  lastSeen: Date;
}

const noApplicability: Applicability = { components: [], files: [], platforms: [] };

function toExperience(r: ExperienceRow): ExperienceEntry {
  return {
    key: r.key,
    kind: r.kind as ExperienceEntry['kind'],
    title: r.title,
    body: r.body,
    applicability: r.applicability as Applicability,
    topics: r.topics as string[],
    data: r.data as Record<string, unknown>,
    occurrences: r.occurrences,
    promotedTo: r.promotedTo,
    lastSeen: r.lastSeen,
  };
}

const firstLines = (text: string, n = 20) => redactSecrets(text.split(/\r?\n/).slice(0, n).join('\n')).slice(0, 4000);

export class ExperienceLog {
  constructor(
    private readonly db: Database,
    private readonly now: () => Date,
  ) {}

  /** One CI attempt. Idempotent on (test, runId, attempt): a redelivered webhook records it once. */
  async recordTestRun(run: TestRun & { job?: string }): Promise<void> {
    const signature = run.outcome === 'fail' ? (run.signature ?? (run.message ? failureSignature(run.message) : null)) : null;
    await insertTestRun(this.db, {
      test: run.test,
      job: run.job ?? null,
      runId: run.runId,
      commitSha: run.commit,
      attempt: run.attempt,
      outcome: run.outcome,
      signature,
      message: run.message ? firstLines(run.message) : null,
      durationMs: run.durationMs ?? null,
      occurredAt: run.at,
    });
  }

  async testHistory(test: string, limitRuns = 500): Promise<TestRun[]> {
    const rows = await latestTestRunRows(this.db, test, limitRuns * 4);
    return rows.reverse().map((r) => ({
      test: r.test,
      runId: r.runId,
      commit: r.commitSha,
      attempt: r.attempt,
      outcome: r.outcome as 'pass' | 'fail',
      signature: r.signature ?? undefined,
      message: r.message ?? undefined,
      durationMs: r.durationMs ?? undefined,
      at: r.occurredAt,
    }));
  }

  /** Recomputes the tier 2 CI entry of a test from its runs; applicability says which code the test covers. */
  async refreshTestExperience(test: string, policy: FlakePolicy, applicability: Partial<Applicability> = {}): Promise<TestStatistics> {
    const stats = testStatistics(await this.testHistory(test, policy.window_runs), test, policy);
    const pct = (x: number) => `${Math.round(x * 100)}%`;
    const top = stats.signatures[0];
    const body =
      `${test}: ${stats.health} over the last ${stats.runs} runs; pass rate ${pct(stats.passRate)}, ` +
      `first-attempt failures ${pct(stats.failureRate)}, passed only on retry ${pct(stats.flakeRate)}.` +
      (top ? ` Most frequent failure: "${top.signature}" (${top.count}×).` : '');
    const merged: Applicability = { ...noApplicability, components: ['ci'], ...applicability };
    await this.upsertExperience(
      {
        key: `ci-test:${test}`,
        kind: 'ci-test',
        title: `CI: ${test} is ${stats.health}`,
        body,
        applicability: merged,
        topics: [`ci:${test}`],
        data: { ...stats, signatures: stats.signatures.map((s) => ({ ...s, lastSeen: s.lastSeen.toISOString() })) },
      },
      false,
    );
    return stats;
  }

  /** A step people keep forgetting during plan execution; each recurrence strengthens the entry. */
  async recordPlanSlip(input: { step: string; workItemKey: string; detail: string; applicability: Partial<Applicability> }): Promise<ExperienceEntry> {
    const slug = input.step
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '');
    return this.upsertExperience(
      {
        key: `plan-slip:${slug}`,
        kind: 'plan-slip',
        title: `Often forgotten: ${input.step}`,
        body: redactSecrets(input.detail),
        applicability: { ...noApplicability, ...input.applicability },
        topics: [`slip:${slug}`],
        data: { lastWorkItem: input.workItemKey },
      },
      true,
    );
  }

  async recordTicketSummary(input: { workItemKey: string; title: string; summary: string; applicability: Partial<Applicability> }): Promise<ExperienceEntry> {
    return this.upsertExperience(
      {
        key: `ticket:${input.workItemKey}`,
        kind: 'ticket-summary',
        title: `${input.workItemKey}: ${input.title}`,
        body: redactSecrets(input.summary),
        applicability: { ...noApplicability, ...input.applicability },
        topics: [],
        data: { workItemKey: input.workItemKey },
      },
      false,
    );
  }

  private async upsertExperience(e: Omit<ExperienceEntry, 'occurrences' | 'promotedTo' | 'lastSeen'>, countOccurrence: boolean): Promise<ExperienceEntry> {
    return toExperience(await upsertExperienceRow(this.db, e, this.now(), countOccurrence));
  }

  async listExperience(kind?: ExperienceEntry['kind']): Promise<ExperienceEntry[]> {
    return (await experienceRows(this.db, kind)).map(toExperience);
  }

  /** Experience entries with the given keys, e.g. for a briefing; empty list for none. */
  async experienceByKeys(keys: readonly string[]): Promise<ExperienceEntry[]> {
    if (keys.length === 0) return [];
    return (await experienceRowsByKeys(this.db, keys)).map(toExperience);
  }
}

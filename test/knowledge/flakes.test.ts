import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { classifyFailure, failureSignature, testStatistics, type FlakePolicy, type TestRun } from '../../src/knowledge/flakes.js';

const policy: FlakePolicy = { window_runs: 30, min_failure_rate: 0.05, max_retries: 2, known_signatures: [] };
const test = 'TestNodePool/TestNodePoolReplaceUpgrade';
const timeout = (n: number) =>
  `=== RUN ${test}\n    nodepool_upgrade_test.go:${200 + n}: timed out waiting for the condition after ${10 + n}m${n}s: pod nodepool-replace-${n}-7d9f8b6c5-q${n.toString().padStart(2, '0')}zk not Ready\n--- FAIL: ${test} (${600 + n}.12s)`;
const day = (i: number) => new Date(Date.UTC(2026, 10, 1 + i, 6, 0, 0));

/** 12 CI runs on 12 commits: 11 first attempts time out and pass on the retry; the 12th passes outright. */
function elevenOfTwelveHistory(): TestRun[] {
  const runs: TestRun[] = [];
  for (let i = 1; i <= 12; i++) {
    const base = { test, runId: `prow-${i}`, commit: `c0ffee${i.toString().padStart(2, '0')}`, at: day(i) };
    if (i <= 11) {
      runs.push({ ...base, attempt: 1, outcome: 'fail', message: timeout(i), durationMs: 600_000 });
      runs.push({ ...base, attempt: 2, outcome: 'pass', at: new Date(day(i).getTime() + 3_600_000), durationMs: 420_000 });
    } else {
      runs.push({ ...base, attempt: 1, outcome: 'pass', durationMs: 410_000 });
    }
  }
  return runs;
}

describe('failure signatures', () => {
  it('the same timeout with different durations, lines and pod names has one signature', () => {
    expect(failureSignature(timeout(3))).toBe(failureSignature(timeout(9)));
    expect(failureSignature(timeout(3))).toContain('timed out waiting for the condition');
    expect(failureSignature(timeout(3))).not.toMatch(/7d9f8b6c5|q03zk|13m3s/);
  });

  it('a different error is a different signature', () => {
    expect(failureSignature('panic: runtime error: invalid memory address or nil pointer dereference [signal SIGSEGV]')).not.toBe(failureSignature(timeout(1)));
  });
});

describe('flake classification', () => {
  it('11 failures out of 12 runs with the same timeout, each green on retry, is a known flake and is retried', () => {
    const result = classifyFailure(elevenOfTwelveHistory(), { test, commit: 'c0ffee13', attempt: 1, message: timeout(13) }, policy);
    expect(result.verdict).toBe('known-flake');
    expect(result.action).toBe('retry');
    expect(result.evidence.sameSignatureFailures).toBe(11);
    expect(result.evidence.intermittentCommits).toHaveLength(11);
    expect(result.reason).toMatch(/failed 11 times in the last 12 runs and passed on the same code/);
  });

  it('a new signature on the same test is escalated, not retried', () => {
    const result = classifyFailure(
      elevenOfTwelveHistory(),
      { test, commit: 'c0ffee13', attempt: 1, message: 'nodepool_upgrade_test.go:88: expected NodePool condition UpdatingVersion to be False, got True' },
      policy,
    );
    expect(result.verdict).toBe('new-signature');
    expect(result.action).toBe('escalate');
    expect(result.reason).toMatch(/new failure signature/);
  });

  it('a known flake is escalated once the retries allowed by team.yaml are used up', () => {
    const result = classifyFailure(elevenOfTwelveHistory(), { test, commit: 'c0ffee13', attempt: 3, message: timeout(13) }, policy);
    expect(result.verdict).toBe('known-flake');
    expect(result.action).toBe('escalate');
    expect(result.reason).toMatch(/2 allowed retries are used up/);
  });

  it('the same signature failing on every run since a commit, retries included, is real', () => {
    const history = elevenOfTwelveHistory();
    for (const i of [13, 14]) {
      for (const attempt of [1, 2, 3])
        history.push({
          test,
          runId: `prow-${i}`,
          commit: `c0ffee${i}`,
          attempt,
          outcome: 'fail',
          message: timeout(i + attempt),
          at: new Date(day(i).getTime() + attempt * 60_000),
        });
    }
    const result = classifyFailure(history, { test, commit: 'c0ffee15', attempt: 1, message: timeout(15) }, policy);
    expect(result.verdict).toBe('real');
    expect(result.action).toBe('escalate');
    expect(result.evidence.failingSince).toBe('c0ffee13');
  });

  it("matches the team's known signature from team.yaml even without history", () => {
    const team = loadConfig().team;
    const result = classifyFailure(
      [],
      { test: 'TestNodePoolAutoRepair', commit: 'abc', attempt: 1, message: 'autorepair_test.go:71: timed out waiting for the condition' },
      team.ci.flake_handling,
    );
    expect(result.verdict).toBe('known-flake');
    expect(result.action).toBe('retry');
    expect(result.reason).toMatch(/known flake signature "timed out waiting for the condition"/);
  });

  it('only the configured window counts', () => {
    const result = classifyFailure(elevenOfTwelveHistory(), { test, commit: 'c0ffee13', attempt: 1, message: timeout(13) }, { ...policy, window_runs: 3 });
    expect(result.evidence.windowRuns).toBe(3);
    expect(result.evidence.sameSignatureFailures).toBe(2);
  });
});

describe('CI statistics for the experience log', () => {
  it('reports pass rate, first-attempt failures and flake rate over the window', () => {
    const stats = testStatistics(elevenOfTwelveHistory(), test, policy);
    expect(stats).toMatchObject({ runs: 12, passedRuns: 12, firstAttemptFailures: 11, passedOnRetry: 11, health: 'flaky' });
    expect(stats.flakeRate).toBeCloseTo(11 / 12);
    expect(stats.signatures[0]?.count).toBe(11);
  });

  it('a test that fails every attempt of its last two runs is failing, not flaky', () => {
    const history: TestRun[] = [1, 2, 3].map((i) => ({
      test,
      runId: `r${i}`,
      commit: `c${i}`,
      attempt: 1,
      outcome: i === 1 ? 'pass' : 'fail',
      message: 'boom error',
      at: day(i),
    }));
    expect(testStatistics(history, test, policy).health).toBe('failing');
  });
});

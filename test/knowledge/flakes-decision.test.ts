import { describe, expect, it } from 'vitest';
import { decideFlake, defaultFlakeThresholds, nextFlag, passRateBand, type FlakeDecisionInput } from '../../src/knowledge/flakes.js';

const now = new Date('2026-11-30T06:00:00Z');
const day = 86_400_000;

function input(over: Partial<FlakeDecisionInput>): FlakeDecisionInput {
  return {
    test: 'TestNodePoolAutoRepair',
    passedOnRetrySameSha: false,
    requiredJob: true,
    retests: { onHead: 0, retesterOnBaseHead: false },
    now,
    maxRetries: 2,
    thresholds: defaultFlakeThresholds,
    ...over,
  };
}

describe('Risk Analysis bands', () => {
  it('98–100 is high, 80–97 medium, under 80 low, too few runs unknown', () => {
    expect(passRateBand({ runs: 100, passPercentage: 98, flakePercentage: 0 }, 20)).toBe('high');
    expect(passRateBand({ runs: 100, passPercentage: 97.9, flakePercentage: 0 }, 20)).toBe('medium');
    expect(passRateBand({ runs: 100, passPercentage: 80, flakePercentage: 0 }, 20)).toBe('medium');
    expect(passRateBand({ runs: 100, passPercentage: 79.9, flakePercentage: 0 }, 20)).toBe('low');
    expect(passRateBand({ runs: 19, passPercentage: 50, flakePercentage: 0 }, 20)).toBe('unknown');
    expect(passRateBand(undefined, 20)).toBe('unknown');
  });
});

describe('decideFlake', () => {
  it('a failure of a 99%-passing test escalates at once, even after a pass on the same SHA', () => {
    const d = decideFlake(input({ history: { runs: 400, passPercentage: 99, flakePercentage: 1 }, passedOnRetrySameSha: true }));
    expect(d.action).toBe('escalate');
    expect(d.band).toBe('high');
    expect(d.reason).toMatch(/regression/);
  });

  it('a known-flaky test (under 80%) is retried silently', () => {
    const d = decideFlake(input({ history: { runs: 100, passPercentage: 72, flakePercentage: 20 } }));
    expect(d).toMatchObject({ action: 'retry', band: 'low', flag: { flagged: true } });
  });

  it('a medium test needs evidence on a required job, not on an optional one', () => {
    const history = { runs: 100, passPercentage: 90, flakePercentage: 4 };
    expect(decideFlake(input({ history })).action).toBe('escalate');
    expect(decideFlake(input({ history, requiredJob: false })).action).toBe('retry');
    expect(decideFlake(input({ history, passedOnRetrySameSha: true })).action).toBe('retry');
  });

  it('without history only a pass on the same SHA allows a retry', () => {
    expect(decideFlake(input({})).action).toBe('escalate');
    expect(decideFlake(input({ passedOnRetrySameSha: true })).action).toBe('retry');
  });

  it('never stacks on Retester: leaves its base+HEAD retest alone, and stops at max_retries and at its hold', () => {
    const history = { runs: 100, passPercentage: 70, flakePercentage: 25 };
    expect(decideFlake(input({ history, retests: { onHead: 1, retesterOnBaseHead: true } })).action).toBe('leave-to-retester');
    expect(decideFlake(input({ history, retests: { onHead: 2, retesterOnBaseHead: true } })).action).toBe('escalate');
    expect(decideFlake(input({ history, maxRetries: 5, retests: { onHead: 3, retesterOnBaseHead: false } })).reason).toMatch(/Retester holds at 3/);
    expect(decideFlake(input({ history, maxRetries: 1, retests: { onHead: 1, retesterOnBaseHead: false } })).action).toBe('escalate');
    expect(decideFlake(input({ history, maxRetries: 0 })).action).toBe('escalate');
  });
});

describe('flag hysteresis and the quiet week', () => {
  const t = defaultFlakeThresholds;
  const medium = (flake: number) => ({ runs: 100, passPercentage: 95, flakePercentage: flake });

  it('raises at the flag rate and keeps the flag between the two thresholds', () => {
    expect(nextFlag(undefined, medium(9), 'medium', now, t).flagged).toBe(false);
    const raised = nextFlag(undefined, medium(10), 'medium', now, t);
    expect(raised.flagged).toBe(true);
    expect(nextFlag(raised, medium(5), 'medium', now, t).flagged).toBe(true);
    expect(nextFlag({ flagged: false }, medium(5), 'medium', now, t).flagged).toBe(false);
    expect(nextFlag(raised, medium(2.9), 'medium', now, t).flagged).toBe(false);
  });

  it('a flagged test quiet for a week is cleared, and a failure the day before is not enough', () => {
    const old = { flagged: true, lastFailureAt: new Date(now.getTime() - 7 * day) };
    expect(nextFlag(old, medium(5), 'medium', now, t).flagged).toBe(false);
    expect(nextFlag({ flagged: true, lastFailureAt: new Date(now.getTime() - 6 * day) }, medium(5), 'medium', now, t).flagged).toBe(true);
    // Cleared by quiet, a medium test on a required job with no same-SHA pass escalates again.
    expect(decideFlake(input({ history: medium(5), previous: old })).action).toBe('escalate');
    expect(decideFlake(input({ history: medium(5), previous: { flagged: true, lastFailureAt: new Date(now.getTime() - day) } })).action).toBe('retry');
  });
});

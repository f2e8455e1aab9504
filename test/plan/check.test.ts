// Workflows read plans with src/plan/check.ts (no zod); everyone else with the zod schema. The two must give the
// same plan out and the same issues, in the same words and order: a plan the Slack app or the agent accepts is
// one the workflow accepts, and a person whose edit is refused reads the same reason either way.
import { describe, expect, it } from 'vitest';
import { parsePlan, readPlan } from '../../src/plan/check.js';
import { Plan } from '../../src/plan/schema.js';

function byZod(value: unknown) {
  const r = Plan.safeParse(value);
  return r.success ? { ok: true, plan: r.data } : { ok: false, issues: r.error.issues.map((i) => ({ path: i.path, message: i.message })) };
}

const phase = (id: string, more: Record<string, unknown> = {}) => ({ id, title: `Phase ${id}`, activity: 'implementation', mergeOrder: 1, ...more });
const plans: Array<Record<string, unknown>> = [
  { workItemKey: 'HOSTEDCP-2101', intention: 'NodePool reports capacity errors', phases: [phase('api')] },
  {
    workItemKey: 'OCPBUGS-7',
    intention: 'fix the drain',
    summary: 'two phases',
    phases: [
      phase('api', { activity: 'api_changes', files: ['api/a.go'], constraints: ['keep v1beta1'], story: 'OCPBUGS-8', mode: 'collaborative' }),
      phase('impl', { dependsOn: ['api'], mergeOrder: 2, validation: [{ command: 'make verify', why: 'generated code' }], files: ['a.go', 'b.go'] }),
      phase('tests', { activity: 'tests', dependsOn: ['api', 'impl'], mergeOrder: 3, mode: 'autonomous' }),
    ],
  },
];

// Values a mutation puts in place of a field: every type JSON can carry, the limits on each side, near misses.
const values: unknown[] = [
  undefined,
  null,
  true,
  0,
  -0,
  1,
  2,
  -1,
  1.5,
  2 ** 60,
  -(2 ** 60),
  NaN,
  Infinity,
  '',
  'x',
  'A',
  'api',
  'impl',
  'tests',
  'no such',
  'api-surface',
  'a'.repeat(41),
  'a'.repeat(42),
  'x'.repeat(150),
  'x'.repeat(151),
  '😀'.repeat(100),
  '😀'.repeat(151),
  'HOSTEDCP-1',
  'hostedcp-1',
  'autonomous',
  'planning',
  [],
  [''],
  ['api'],
  ['api', 'api'],
  ['impl'],
  ['nope', 'A'],
  [1],
  [null],
  [{ command: 'make test', why: 'unit' }],
  [{ command: '', why: 'x', extra: 1 }],
  Array.from({ length: 13 }, (_, i) => `f${i}`),
  {},
  { length: 0 },
  phase('api'),
  phase('impl', { dependsOn: ['api'] }),
];
const planKeys = ['workItemKey', 'intention', 'summary', 'phases', 'extra'];
const phaseKeys = ['id', 'title', 'story', 'activity', 'files', 'constraints', 'validation', 'dependsOn', 'mergeOrder', 'mode', 'zz'];

/** A small seeded generator, so a failure names a case that comes back on the next run. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutated(seed: number): unknown {
  const next = random(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!;
  const plan = structuredClone(pick(plans)) as Record<string, unknown>;
  const edits = 1 + Math.floor(next() * 3);
  for (let e = 0; e < edits; e++) {
    const phases = Array.isArray(plan.phases) ? (plan.phases as unknown[]) : undefined;
    const target = phases && phases.length > 0 && next() < 0.7 ? phases[Math.floor(next() * phases.length)] : plan;
    if (typeof target !== 'object' || target === null) continue;
    const keys = target === plan ? planKeys : phaseKeys;
    const key = pick(keys);
    const record = target as Record<string, unknown>;
    const roll = next();
    if (roll < 0.15) delete record[key];
    else if (roll < 0.25 && phases) phases.push(structuredClone(pick(phases)));
    else record[key] = structuredClone(pick(values));
  }
  return plan;
}

describe('the workflow plan reader agrees with the zod schema', () => {
  it('on the valid plans, giving the same plan with its defaults filled in', () => {
    for (const plan of plans) {
      const mine = readPlan(plan);
      expect(mine.ok).toBe(true);
      expect(mine).toStrictEqual(byZod(plan));
    }
  });

  it('on every field of every phase set to each kind of value', () => {
    let refused = 0;
    for (const plan of plans) {
      for (let p = -1; p < (plan.phases as unknown[]).length; p++) {
        for (const key of p < 0 ? planKeys : phaseKeys) {
          for (const value of [...values, 'absent']) {
            const copy = structuredClone(plan);
            const target = (p < 0 ? copy : (copy.phases as Array<Record<string, unknown>>)[p]!) as Record<string, unknown>;
            if (value === 'absent') delete target[key];
            else target[key] = structuredClone(value);
            const expected = byZod(copy);
            if (!expected.ok) refused += 1;
            expect(readPlan(copy), JSON.stringify(copy)).toStrictEqual(expected);
          }
        }
      }
    }
    // The cases must reach the refusals, not only plans both accept.
    expect(refused).toBeGreaterThan(500);
  });

  it('on 4,000 plans with one to three random edits each', () => {
    const outcomes = { accepted: 0, refused: 0 };
    for (let seed = 1; seed <= 4_000; seed++) {
      const value = mutated(seed);
      const expected = byZod(value);
      outcomes[expected.ok ? 'accepted' : 'refused'] += 1;
      expect(readPlan(value), `seed ${seed}: ${JSON.stringify(value)}`).toStrictEqual(expected);
    }
    expect(outcomes.accepted).toBeGreaterThan(200);
    expect(outcomes.refused).toBeGreaterThan(2_000);
  });

  it('on values that are not plans at all', () => {
    for (const value of [undefined, null, 'plan', 3, [], [plans[0]], {}]) expect(readPlan(value)).toStrictEqual(byZod(value));
  });

  it('throws every issue by path when a workflow parses a plan that is not one', () => {
    expect(() => parsePlan({ ...plans[0], phases: [phase('A'), phase('b', { dependsOn: ['b'] })] })).toThrow(
      'invalid plan: phases.0.id: must be a short lower-case id like "api-surface"; phases.1.dependsOn.0: a phase cannot depend on itself',
    );
    expect(parsePlan(plans[0])).toStrictEqual(Plan.parse(plans[0]));
  });
});

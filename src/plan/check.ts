// Reading a plan without zod, for workflow code. The reused V8 context evaluates a workflow's modules again for
// every open workflow, so zod there cost about a megabyte per open work item. The rules every plan obeys live
// here once (patterns, limits, the cross-phase rules); src/plan/schema.ts builds the zod schema from them for
// everyone else, and test/plan/check.test.ts holds the two to the same results: the same plan out (defaults
// filled in) and the same issues, word for word, in the same order.
import { activityKinds, executionModes } from '../contracts/vocabulary.js';
import type { Plan, PlannedPhase } from '../contracts/plan.js';

export const workItemKeyPattern = /^[A-Z][A-Z0-9]+-\d+$/;
export const workItemKeyMessage = 'must be a Jira key like "HOSTEDCP-2101"';
export const phaseIdPattern = /^[a-z][a-z0-9-]{0,40}$/;
export const phaseIdMessage = 'must be a short lower-case id like "api-surface"';
export const planLimits = { phaseTitleMax: 150, phasesMin: 1, phasesMax: 12 } as const;

export type PlanPath = Array<string | number>;
export interface PlanIssue {
  path: PlanPath;
  message: string;
}

/** The rules across phases (ids unique, dependencies known and acyclic), on a plan whose shape is valid. */
export function crossPhaseIssues(phases: ReadonlyArray<Pick<PlannedPhase, 'id' | 'dependsOn'>>): PlanIssue[] {
  const issues: PlanIssue[] = [];
  const ids = new Set<string>();
  phases.forEach((phase, i) => {
    if (ids.has(phase.id)) issues.push({ path: ['phases', i, 'id'], message: `duplicate phase id "${phase.id}"` });
    ids.add(phase.id);
  });
  phases.forEach((phase, i) => {
    phase.dependsOn.forEach((dep, j) => {
      if (!ids.has(dep)) issues.push({ path: ['phases', i, 'dependsOn', j], message: `unknown phase "${dep}"` });
      if (dep === phase.id) issues.push({ path: ['phases', i, 'dependsOn', j], message: 'a phase cannot depend on itself' });
    });
  });
  const cycle = findCycle(phases);
  if (cycle) issues.push({ path: ['phases'], message: `dependency cycle: ${cycle.join(' → ')}` });
  return issues;
}

/** Returns one dependency cycle as a list of phase ids, or undefined. */
export function findCycle(phases: ReadonlyArray<Pick<PlannedPhase, 'id' | 'dependsOn'>>): string[] | undefined {
  const byId = new Map(phases.map((p) => [p.id, p]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'visiting');
    stack.push(id);
    for (const dep of byId.get(id)?.dependsOn ?? []) {
      if (!byId.has(dep)) continue;
      const found = visit(dep);
      if (found) return found;
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const p of phases) {
    const found = visit(p.id);
    if (found) return found;
  }
  return undefined;
}

/** The plan with its defaults filled in, or every issue found (the same ones, in the same words, as the zod schema). */
export function readPlan(value: unknown): { ok: true; plan: Plan } | { ok: false; issues: PlanIssue[] } {
  const r = new Reader();
  const plan = r.plan(value, []);
  return r.issues.length === 0 ? { ok: true, plan: plan as Plan } : { ok: false, issues: r.issues.map(({ path, message }) => ({ path, message })) };
}

/** The plan with its defaults filled in; throws an Error naming every issue ("phases.0.id: ...") otherwise. */
export function parsePlan(value: unknown): Plan {
  const read = readPlan(value);
  if (!read.ok) throw new Error(`invalid plan: ${planIssuesText(read.issues)}`);
  return read.plan;
}

export const planIssuesText = (issues: readonly PlanIssue[]) => issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');

// --- the reader: zod's order and wording, and when it stops looking -----------------------------------------
// An issue either lets the checks after it run (a string too short, a pattern not matched) or stops them (a wrong
// type, an unknown option): a value with a stopping issue skips its remaining checks, and the plan's cross-phase
// rules run only when nothing in the plan stopped.

interface Found extends PlanIssue {
  stops: boolean;
}

const absent = Symbol('absent');

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isFinite(value) ? 'number' : String(value);
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as unknown;
    const ctor = (value as { constructor?: { name?: string } }).constructor;
    if (proto !== Object.prototype && 'constructor' in value && ctor) return String(ctor.name);
  }
  return typeof value;
}

const lengthOrigin = (value: unknown) => (typeof value === 'string' ? 'string' : Array.isArray(value) ? 'array' : 'unknown');
const sizeWords: Record<string, string> = { string: 'characters', array: 'items' };
const quoteAll = (values: readonly string[], separator: string) => values.map((v) => `"${v}"`).join(separator);

class Reader {
  readonly issues: Found[] = [];

  private add(path: PlanPath, message: string, stops: boolean): void {
    this.issues.push({ path, message, stops });
  }

  private stoppedSince(start: number): boolean {
    return this.issues.slice(start).some((i) => i.stops);
  }

  private wrongType(path: PlanPath, expected: string, value: unknown): void {
    this.add(path, `Invalid input: expected ${expected}, received ${typeName(value)}`, true);
  }

  /** A length check runs on anything with a length, even after a wrong type (as zod's does). */
  private length(path: PlanPath, value: unknown, bound: { min?: number; max?: number }): void {
    if (value === null || value === undefined || (value as { length?: unknown }).length === undefined) return;
    const units = (value as { length: number }).length;
    const origin = lengthOrigin(value);
    const unit = sizeWords[origin];
    if (bound.min !== undefined) {
      const count = typeof value === 'string' && units >= bound.min && units < bound.min * 2 ? [...value].length : units;
      if (!(count >= bound.min))
        this.add(path, unit ? `Too small: expected ${origin} to have >=${bound.min} ${unit}` : `Too small: expected ${origin} to be >=${bound.min}`, false);
    }
    if (bound.max !== undefined) {
      const count = typeof value === 'string' && units > bound.max ? [...value].length : units;
      if (count > bound.max)
        this.add(path, unit ? `Too big: expected ${origin} to have <=${bound.max} ${unit}` : `Too big: expected ${origin} to be <=${bound.max}`, false);
    }
  }

  private string(value: unknown, path: PlanPath, checks: { min?: number; max?: number; pattern?: RegExp; message?: string } = {}): unknown {
    const start = this.issues.length;
    if (typeof value !== 'string') this.wrongType(path, 'string', value);
    if (checks.min !== undefined) this.length(path, value, { min: checks.min });
    if (checks.max !== undefined) this.length(path, value, { max: checks.max });
    if (checks.pattern && !this.stoppedSince(start) && !checks.pattern.test(value as string)) this.add(path, checks.message!, false);
    return value;
  }

  private oneOf(value: unknown, path: PlanPath, options: readonly string[]): unknown {
    if (!options.includes(value as string)) this.add(path, `Invalid option: expected one of ${quoteAll(options, '|')}`, true);
    return value;
  }

  private mergeOrder(value: unknown, path: PlanPath): unknown {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      this.wrongType(path, 'number', value);
      return value;
    }
    if (!Number.isInteger(value)) {
      this.add(path, 'Invalid input: expected int, received number', true);
      return value;
    }
    if (!Number.isSafeInteger(value)) {
      if (value > 0) this.add(path, `Too big: expected int to be <=${Number.MAX_SAFE_INTEGER}`, false);
      else this.add(path, `Too small: expected int to be >=${Number.MIN_SAFE_INTEGER}`, false);
    }
    if (value < 1) this.add(path, 'Too small: expected number to be >=1', false);
    return value;
  }

  private array(value: unknown, path: PlanPath, element: (item: unknown, path: PlanPath) => unknown, bound: { min?: number; max?: number } = {}): unknown {
    if (!Array.isArray(value)) {
      this.wrongType(path, 'array', value);
      this.length(path, value, bound);
      return value;
    }
    // Too many items: said at once, and none of them read.
    if (bound.max !== undefined && value.length > bound.max) {
      this.add(path, `Too big: expected array to have <=${bound.max} items`, true);
      return value;
    }
    const out = value.map((item, i) => element(item, [...path, i]));
    this.length(path, value, bound);
    return out;
  }

  /** A strict object: each known key in order (optional ones kept only when present), then any unknown keys. */
  private object(value: unknown, path: PlanPath, shape: Record<string, (v: unknown, path: PlanPath) => unknown>): Record<string, unknown> | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.wrongType(path, 'object', value);
      return undefined;
    }
    const input = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [key, read] of Object.entries(shape)) {
      const v = read(key in input ? input[key] : absent, [...path, key]);
      if (v !== absent) out[key] = v;
    }
    const unknown: string[] = [];
    for (const key in input) if (!(key in shape)) unknown.push(key);
    if (unknown.length) this.add(path, `Unrecognized key${unknown.length > 1 ? 's' : ''}: ${quoteAll(unknown, ', ')}`, false);
    return out;
  }

  private required = (read: (v: unknown, path: PlanPath) => unknown) => (v: unknown, path: PlanPath) => read(v === absent ? undefined : v, path);
  private optional = (read: (v: unknown, path: PlanPath) => unknown) => (v: unknown, path: PlanPath) =>
    v === absent ? absent : v === undefined ? undefined : read(v, path);
  private withDefault = (fallback: () => unknown, read: (v: unknown, path: PlanPath) => unknown) => (v: unknown, path: PlanPath) =>
    v === absent || v === undefined ? fallback() : read(v, path);

  private phaseId = (v: unknown, path: PlanPath) => this.string(v, path, { pattern: phaseIdPattern, message: phaseIdMessage });
  private nonEmpty = (v: unknown, path: PlanPath) => this.string(v, path, { min: 1 });

  private validationStep = (v: unknown, path: PlanPath) =>
    this.object(v, path, { command: this.required(this.nonEmpty), why: this.required(this.nonEmpty) }) ?? v;

  private phase = (v: unknown, path: PlanPath) =>
    this.object(v, path, {
      id: this.required(this.phaseId),
      title: this.required((t, p) => this.string(t, p, { min: 1, max: planLimits.phaseTitleMax })),
      story: this.optional((s, p) => this.string(s, p)),
      activity: this.required((a, p) => this.oneOf(a, p, activityKinds)),
      files: this.withDefault(
        () => [],
        (f, p) => this.array(f, p, this.nonEmpty),
      ),
      constraints: this.withDefault(
        () => [],
        (c, p) => this.array(c, p, this.nonEmpty),
      ),
      validation: this.withDefault(
        () => [],
        (s, p) => this.array(s, p, this.validationStep),
      ),
      dependsOn: this.withDefault(
        () => [],
        (d, p) => this.array(d, p, this.phaseId),
      ),
      mergeOrder: this.required((m, p) => this.mergeOrder(m, p)),
      mode: this.optional((m, p) => this.oneOf(m, p, executionModes)),
    }) ?? v;

  plan(value: unknown, path: PlanPath): unknown {
    const out = this.object(value, path, {
      workItemKey: this.required((k, p) => this.string(k, p, { pattern: workItemKeyPattern, message: workItemKeyMessage })),
      intention: this.required(this.nonEmpty),
      summary: this.withDefault(
        () => '',
        (s, p) => this.string(s, p),
      ),
      phases: this.required((ph, p) => this.array(ph, p, this.phase, { min: planLimits.phasesMin, max: planLimits.phasesMax })),
    });
    if (out && !this.stoppedSince(0)) {
      for (const issue of crossPhaseIssues(out.phases as PlannedPhase[])) this.add([...path, ...issue.path], issue.message, false);
    }
    return out ?? value;
  }
}

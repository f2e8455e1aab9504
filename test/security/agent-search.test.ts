// The agent's file search takes a regular expression from the model. A pattern that backtracks without
// bound once blocked the event loop for 1.4 s on a 28-character line, doubling with each character; now
// such patterns are refused with a reason, and whatever passes the guard runs under a time budget in a
// worker thread, so the event loop keeps turning.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { staticKnowledge, type DomainModelPort } from '../../src/agent/model-port.js';
import { Scope } from '../../src/agent/scope.js';
import { createToolRunner } from '../../src/agent/tools.js';
import { unsafeRegexReason } from '../../src/domain/safe-regex.js';

const root = mkdtempSync(join(tmpdir(), 'sitroom-search-'));
mkdirSync(join(root, 'pkg'));
// The pathological line: 28 "a"s and a character that makes every attempt fail.
writeFileSync(join(root, 'pkg', 'evil.go'), `package pkg\n// ${'a'.repeat(28)}!\nfunc Fine() {}\n// ${'a'.repeat(5000)}\n`);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const noModel = { answer: () => undefined } as unknown as DomainModelPort;
const tools = () =>
  createToolRunner({ scope: new Scope({ worktree: root, writable: [], allowedCommands: [], tokenBudget: 1 }), model: noModel, knowledge: staticKnowledge([]) });

/** Runs the search while measuring the longest gap between event-loop turns. */
async function searchWithLoopWatch(input: unknown) {
  let last = Date.now();
  let worstGap = 0;
  const tick = setInterval(() => {
    const now = Date.now();
    worstGap = Math.max(worstGap, now - last);
    last = now;
  }, 10);
  try {
    const result = await tools().run('search_files', input);
    return { result, worstGap };
  } finally {
    clearInterval(tick);
  }
}

const catastrophic = ['(a+)+$', '(a*)*$', '(a|aa)+$', '(a|a)*$', '((a+)b?)+$', '(.*a){20}$', '(\\w+\\s?)+$', '(?:a+){2,}$'];
const refusedFeatures = ['(a)\\1', '(?<x>a)\\k<x>', 'a(?=b)', '(?<!a)b', `${'a'.repeat(201)}`, '(a', 'a)'];

describe('search_files with a hostile regular expression', () => {
  it.each(catastrophic)('refuses %s with a reason, without blocking the event loop', async (pattern) => {
    const { result, worstGap } = await searchWithLoopWatch({ pattern, regex: true });
    expect(result.isError).toBe(true);
    expect(result.content).toMatch(/regex refused|invalid regex|invalid input/);
    expect(worstGap).toBeLessThan(500);
  });

  it.each(refusedFeatures)('refuses %s (back-references, look-arounds, length, balance)', (pattern) => {
    expect(unsafeRegexReason(pattern)).toEqual(expect.any(String));
  });

  it('stops a polynomial pattern that passes the guard at the time budget, and the event loop keeps turning', async () => {
    // Eight adjacent repetitions over a 5,000-character line: no nesting, but O(n^8) attempts.
    const { result, worstGap } = await searchWithLoopWatch({ pattern: 'a*a*a*a*a*a*a*a*!', regex: true });
    expect(result).toMatchObject({ isError: true });
    expect(result.content).toMatch(/longer than \d+ ms/);
    expect(worstGap).toBeLessThan(500);
  });

  it('still finds what ordinary patterns and literal searches ask for', async () => {
    expect((await tools().run('search_files', { pattern: '^func (Fine|Other)\\(', regex: true })).content).toBe('pkg/evil.go:3: func Fine() {}');
    expect((await tools().run('search_files', { pattern: '(a+)+$' })).content).toBe('no matches');
    expect(unsafeRegexReason('[a-z]+(_[a-z]+)?\\.go$')).toBeUndefined();
    expect(unsafeRegexReason('^(foo|bar)baz+\\d{2,4}$')).toBeUndefined();
  });
});

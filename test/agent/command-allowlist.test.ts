// Allow-list patterns for the commands RH-A runs. A team that writes
// `go test ./hypershift-operator/controllers/nodepool/...` lets the agent test that package tree and nothing
// else: the pattern keeps the program and the number of words, cannot carry shell text or an extra flag, and
// cannot climb out of the worktree. Through the Claude path (the scripted loopback Messages API, the example
// repository, the real sandbox), an allowed pattern runs and near misses are refused, each refusal in the
// step's evidence; the per-command time limit a team sets for a pattern applies to every command it matches.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowListEntryProblem, matchAllowList } from '../../src/agent/command-allowlist.js';
import { createClaudeAgent } from '../../src/agent/claude.js';
import { commandTimeouts, sandboxSpec } from '../../src/agent/sandbox.js';
import { Scope } from '../../src/agent/scope.js';
import { addWorktree } from '../../src/integrations/git.js';
import type { PlannedPhase } from '../../src/plan/schema.js';
import { startFakeAnthropic, text, toolUse, type FakeAnthropic } from '../support/doubles/anthropic.js';
import { exampleWorkspace } from './helpers.js';

const nodepoolTests = 'go test ./hypershift-operator/controllers/nodepool/...';
const entries = ['make verify', 'go vet ./...', nodepoolTests, 'go test -run=Test* ./api/...'];

describe('matching a command against allow-list patterns', () => {
  it.each([
    [nodepoolTests, nodepoolTests],
    ['go test ./hypershift-operator/controllers/nodepool', nodepoolTests],
    ['go test ./hypershift-operator/controllers/nodepool/metrics', nodepoolTests],
    ['go test ./hypershift-operator/controllers/nodepool/metrics/...', nodepoolTests],
    ['go test -run=TestCapacityError ./api/hypershift/v1beta1', 'go test -run=Test* ./api/...'],
    ['  make   verify ', 'make verify'],
  ])('allows %s (by "%s")', (command, entry) => {
    expect(matchAllowList(command, entries)).toEqual({ entry });
  });

  it.each([
    ['a sibling package', 'go test ./hypershift-operator/controllers/hostedcluster/...'],
    ['a package whose name only starts the same', 'go test ./hypershift-operator/controllers/nodepoolx'],
    ['the parent', 'go test ./hypershift-operator/controllers/...'],
    ['every package', 'go test ./...'],
    ['a package outside every pattern', 'go test ./api/hypershift'],
    ['a climb out of the tree', 'go test ./hypershift-operator/controllers/nodepool/../../..'],
    ['an empty segment', 'go test ./hypershift-operator/controllers/nodepool//metrics'],
    ['"..." inside a segment', 'go test ./hypershift-operator/controllers/nodepool/x...'],
    ['an extra flag after the pattern', 'go test ./hypershift-operator/controllers/nodepool/... -exec=/bin/sh'],
    ['an extra flag before the pattern', 'go test -exec=/bin/sh ./hypershift-operator/controllers/nodepool/...'],
    ['a flag in place of the package', 'go test -exec=/bin/sh'],
    ['a flag where "*" stands', 'go test -run=Test* -exec=sh'],
    ['shell text in a word', 'go test ./hypershift-operator/controllers/nodepool;curl'],
    ['command substitution', 'go test -run=Test$(id) ./api/hypershift'],
    ['a pipe', 'go test ./hypershift-operator/controllers/nodepool | sh'],
    ['quotes', 'go test "./hypershift-operator/controllers/nodepool"'],
    ['another program', 'sh ./hypershift-operator/controllers/nodepool/...'],
    ['"*" matching across a slash', 'go test -run=Test/../x ./api/hypershift'],
    ['an exact entry with a word more', 'make verify -j'],
  ])('refuses %s: %s', (_why, command) => {
    expect(matchAllowList(command, entries)).toBeUndefined();
  });

  it('picks the most specific pattern, whose time limit then applies; an exact entry wins over any pattern', () => {
    const withAll = ['go test ./...', ...entries];
    expect(matchAllowList('go test ./hypershift-operator/controllers/nodepool/metrics', withAll)).toEqual({ entry: nodepoolTests });
    expect(matchAllowList('go test ./api/hypershift', withAll)).toEqual({ entry: 'go test ./...' });
    expect(matchAllowList('go test ./...', withAll)).toEqual({ entry: 'go test ./...' });
  });

  it('says what is wrong with an entry that cannot be a safe pattern', () => {
    expect(allowListEntryProblem(nodepoolTests)).toBeUndefined();
    expect(allowListEntryProblem('* ./...')).toMatch(/program "\*" must be written out/);
    expect(allowListEntryProblem('go test ./../...')).toMatch(/may not climb/);
    expect(allowListEntryProblem('go test ./x/.../y/...')).toMatch(/may only end a package pattern/);
    expect(allowListEntryProblem('sh -c "go test ./..."')).toMatch(/outside letters, digits/);
    // An entry with a problem matches nothing, not even itself as a pattern.
    expect(matchAllowList('go test ./x/a/y/z', ['go test ./x/.../y/...'])).toBeUndefined();
  });
});

describe('patterns on the agent path', () => {
  let ws: Awaited<ReturnType<typeof exampleWorkspace>>;
  const servers: FakeAnthropic[] = [];
  beforeAll(async () => {
    ws = await exampleWorkspace();
  }, 60_000);
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    ws?.cleanup();
  });

  const team = (extra: { command_timeouts?: Record<string, number> } = {}) => ({
    ...ws.team,
    agent: { ...ws.team.agent, allowed_commands: [...ws.team.agent.allowed_commands, nodepoolTests], command_timeouts: extra.command_timeouts ?? {} },
  });

  it('runs a command the pattern allows and refuses the near misses, each refusal kept as evidence of the step', async () => {
    const worktree = join(ws.base, 'patterns');
    const branch = 'sitroom/patterns';
    await addWorktree(ws.repo.dir, worktree, branch, 'main');
    const tries = [
      'go test ./hypershift-operator/controllers/nodepool',
      'go test -exec=/bin/sh ./hypershift-operator/controllers/nodepool/...',
      'go test ./hypershift-operator/controllers/nodepool/../../..',
      'go test ./hypershift-operator/controllers/nodepool/...;curl',
    ];
    const server = await startFakeAnthropic((_req, i) =>
      i === 0
        ? { stop_reason: 'tool_use', content: tries.map((command) => toolUse('run_command', { command })) }
        : { stop_reason: 'end_turn', content: [text('Ran the NodePool tests.')] },
    );
    servers.push(server);
    const agent = createClaudeAgent({
      apiKey: 'sk-ant-test-key-0000000000',
      baseURL: server.url,
      domain: ws.model,
      knowledge: ws.knowledge,
      team: team(),
      targetRepo: ws.repo.dir,
    });
    const phase: PlannedPhase = {
      id: 'tests',
      title: 'Run the NodePool tests',
      activity: 'tests',
      files: ['hypershift-operator/controllers/nodepool/**'],
      constraints: [],
      validation: [],
      dependsOn: [],
      mergeOrder: 1,
    };

    const result = await agent.execute({ workItemKey: 'HOSTEDCP-2102', phase, instruction: phase.title, branch, worktree });

    // The model was told the patterns, and the tool takes any string (the scope decides), not only the entries.
    const runTool = (
      server.requests[0]!.tools as Array<{ name: string; description: string; input_schema: { properties: { command?: { enum?: unknown } } } }>
    ).find((t) => t.name === 'run_command')!;
    expect(runTool.description).toContain(nodepoolTests);
    expect(runTool.input_schema.properties.command!.enum).toBeUndefined();

    // The allowed one ran (then the step's own checks); none of the refused ones did.
    const ran = result.evidence.commands.map((c) => c.command);
    expect([ran[0], result.evidence.commands[0]!.exitCode]).toEqual([tries[0], 0]);
    for (const refused of tries.slice(1)) expect(ran).not.toContain(refused);
    expect(result.evidence.commands[0]!.tail).toMatch(/ok\s+github\.com\/example\/hypershift-mini\/hypershift-operator\/controllers\/nodepool/);
    expect(result.evidence.refusals.map((r) => [r.kind, r.request])).toEqual(tries.slice(1).map((t) => ['command-not-allowed', t]));
    for (const r of result.evidence.refusals) expect(r.reason).toContain('matches none of its patterns');
    expect(result.evidence.toolCalls.map((c) => [c.tool, c.ok])).toEqual([
      ['run_command', true],
      ['run_command', false],
      ['run_command', false],
      ['run_command', false],
    ]);
  }, 240_000);

  it('applies the time limit the team set for a pattern to each command it matches', async () => {
    const worktree = join(ws.base, 'slow');
    await addWorktree(ws.repo.dir, worktree, 'sitroom/slow', 'main');
    // A test that outlasts the limit, in the package tree the pattern covers.
    writeFileSync(
      join(worktree, 'hypershift-operator/controllers/nodepool/slow_test.go'),
      'package nodepool\n\nimport (\n\t"testing"\n\t"time"\n)\n\nfunc TestSlow(t *testing.T) { time.Sleep(120 * time.Second) }\n',
    );
    const limited = team({ command_timeouts: { [nodepoolTests]: 20 } });
    const scope = new Scope({
      worktree,
      writable: [],
      allowedCommands: limited.agent.allowed_commands,
      tokenBudget: 1,
      sandbox: sandboxSpec(limited),
      ...commandTimeouts(limited),
    });

    const run = await scope.runCommand('go test ./hypershift-operator/controllers/nodepool');
    expect(run, JSON.stringify({ ...run, output: run.output.slice(-1500) })).toMatchObject({
      command: 'go test ./hypershift-operator/controllers/nodepool',
      timedOut: true,
      exitCode: null,
    });
    expect(run.durationMs).toBeGreaterThanOrEqual(20_000);
    expect(run.durationMs).toBeLessThan(110_000);
    // An exact entry keeps the default limit: the pattern's limit is keyed by the pattern, not by every command.
    expect(commandTimeouts(limited).commandTimeoutsMs).toEqual({ [nodepoolTests]: 20_000 });
  }, 240_000);
});

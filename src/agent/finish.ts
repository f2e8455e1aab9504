// The end of every execute step, whoever made the change: verification and tests through the scope,
// the domain model's rules on the diff, then a commit of exactly the files the phase may touch.
import type { TeamConfig } from '../config/schema.js';
import { changedPaths, commitPaths, git } from '../integrations/git.js';
import type { DomainModelPort } from './model-port.js';
import { reviewDiff, summariseFindings } from './review.js';
import { globToRegExp, type Scope } from './scope.js';
import type { Evidence, ExecuteResult } from './types.js';

export type FinishOutcome = { ok: true; commit: string; checks: ExecuteResult['checks'] } | { ok: false; message: string; checks: ExecuteResult['checks'] };

export async function verifyAndCommit(args: {
  scope: Scope;
  team: TeamConfig;
  model: DomainModelPort;
  evidence: Evidence;
  commitMessage: string;
  heartbeat?: (what: string) => void;
}): Promise<FinishOutcome> {
  const { scope, team, evidence } = args;
  const worktree = scope.spec.worktree;
  const checks: ExecuteResult['checks'] = [];
  for (const command of [team.codegen.verify, team.codegen.test]) {
    args.heartbeat?.(command);
    const run = await scope.runCommand(command);
    checks.push({ command, passed: run.exitCode === 0 });
    if (run.exitCode !== 0) return { ok: false, checks, message: `${command} failed (exit ${run.exitCode}):\n${run.output.slice(-2000)}` };
  }

  await git(worktree, ['add', '-N', '.']); // intent-to-add, so new files appear in the diff
  const findings = reviewDiff(await git(worktree, ['diff', 'HEAD', '--']), args.model);
  if (findings.some((f) => f.severity === 'blocker')) return { ok: false, checks, message: `the change breaks a rule:\n${summariseFindings(findings)}` };
  evidence.notes.push(findings.length ? summariseFindings(findings) : 'check_diff: no boundary or convention findings');

  args.heartbeat?.('commit');
  const changed = await changedPaths(worktree);
  if (changed.length === 0) return { ok: false, checks, message: 'nothing changed in the worktree' };
  const writable = scope.spec.writable.map(globToRegExp);
  const outside = changed.filter((p) => !writable.some((re) => re.test(p)));
  if (outside.length) {
    for (const p of outside) scope.record('not-writable', p, `"${p}" changed during the step but is outside the phase's files; not committed`);
    return { ok: false, checks, message: `files outside the phase's scope changed: ${outside.join(', ')}` };
  }
  const commit = await commitPaths(
    worktree,
    changed,
    `${args.commitMessage}\n\n${checks.map((c) => `${c.command}: ${c.passed ? 'passed' : 'failed'}`).join('\n')}`,
  );
  evidence.notes.push(`committed files: ${changed.join(', ')}`);
  return { ok: true, commit, checks };
}

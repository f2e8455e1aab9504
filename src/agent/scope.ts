// The sandbox RH-O gives one agent step: a single git worktree, the paths it may write, the exact
// commands it may run, and a token budget. Everything the agent touches goes through here, and every
// refusal is kept as evidence so the step result shows what was attempted and why it was stopped.
// The spec is frozen at construction: nothing the agent reads (files, CI logs, PR comments) can widen it.
import { execFile } from 'node:child_process';
import { existsSync, lstatSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, relative, sep } from 'node:path';
import { readRegularFile } from '../fs/confine.js';
import { redactSecrets } from '../observability/logger.js';
import { globToRegExp } from '../domain/glob.js';
import { inheritedEnvironment } from '../config/process-environment.js';
import { probeSandbox, sandboxCommand, unconfinedEnv, type SandboxSpec } from './sandbox.js';
import { matchAllowList, words } from './command-allowlist.js';

export interface ScopeSpec {
  /** Absolute path of the git worktree the step works in. */
  worktree: string;
  /** Repository-relative globs the step may write (`*` within a segment, `**` across segments). */
  writable: readonly string[];
  /**
   * team.yaml `agent.allowed_commands`: exact commands ("make verify") or patterns of one
   * ("go test ./hypershift-operator/controllers/nodepool/..."); see command-allowlist.ts for what a pattern may match.
   */
  allowedCommands: readonly string[];
  /** Tokens (input + output, cache reads included) this step may spend. */
  tokenBudget: number;
  /** Milliseconds any command may run (default 10 minutes). */
  commandTimeoutMs?: number;
  /** Per-command limits in milliseconds, by the allow-list entry the command matched (team.yaml `agent.command_timeouts`). */
  commandTimeoutsMs?: Readonly<Record<string, number>>;
  /** Bytes of combined output kept per command (head and tail); the rest is elided. */
  outputCapBytes?: number;
  /** The OS sandbox every command runs in; default `required` (see sandbox.ts). */
  sandbox?: SandboxSpec;
  /**
   * Called every few seconds while a command runs. The step's activity heartbeats from here: a `go test`
   * that outlasts the heartbeat window would otherwise be declared lost and retried beside itself.
   */
  whileRunning?: (command: string, elapsedMs: number) => void;
}

/**
 * How often a running command reports progress. Cheap: the Temporal SDK throttles heartbeats to a fraction of
 * the heartbeat timeout (https://docs.temporal.io/encyclopedia/detecting-activity-failures#activity-heartbeat), so this
 * only needs to sit well inside the shortest window a phase may configure.
 */
export const commandProgressEveryMs = 1_000;

export type RefusalKind =
  'absolute-path' | 'path-traversal' | 'symlink-escape' | 'not-writable' | 'command-not-allowed' | 'budget-exhausted' | 'sandbox-unavailable';

export interface Refusal {
  kind: RefusalKind;
  /** What was asked for, redacted. */
  request: string;
  reason: string;
  at: string;
}

export interface CommandRun {
  command: string;
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  /** Combined stdout+stderr, redacted and capped. */
  output: string;
  truncated: boolean;
}

export class ScopeRefusal extends Error {
  override readonly name = 'ScopeRefusal';
  constructor(readonly refusal: Refusal) {
    super(`refused (${refusal.kind}): ${refusal.reason}`);
  }
}

const defaultTimeoutMs = 10 * 60_000;
const defaultOutputCap = 64 * 1024;
// execFile kills a child whose output passes maxBuffer; keep that far above the display cap so a chatty
// `go test` still finishes and reports its exit code.
const hardOutputLimit = 32 * 1024 * 1024;

// One glob dialect for the whole product: the domain model's (`*` within a segment, `**` across, `?` one
// character, a trailing `/` for anything under a directory).
export { globToRegExp };

export class Scope {
  readonly spec: Readonly<ScopeSpec>;
  private readonly realRoot: string;
  private readonly writableRes: RegExp[];
  private readonly refusalLog: Refusal[] = [];
  private readonly commandLog: CommandRun[] = [];
  private readonly written = new Set<string>();
  private tokensUsed = 0;

  constructor(spec: ScopeSpec) {
    if (!isAbsolute(spec.worktree)) throw new Error(`scope: worktree must be absolute, got "${spec.worktree}"`);
    this.spec = Object.freeze({ ...spec, writable: Object.freeze([...spec.writable]), allowedCommands: Object.freeze([...spec.allowedCommands]) });
    this.realRoot = realpathSync(spec.worktree);
    this.writableRes = this.spec.writable.map(globToRegExp);
  }

  get refusals(): readonly Refusal[] {
    return this.refusalLog;
  }
  get commands(): readonly CommandRun[] {
    return this.commandLog;
  }
  get writtenFiles(): string[] {
    return [...this.written].sort();
  }
  get tokensSpent(): number {
    return this.tokensUsed;
  }
  get tokensLeft(): number {
    return Math.max(0, this.spec.tokenBudget - this.tokensUsed);
  }

  /** Records spend; returns false (and records a refusal) once the budget is gone. */
  chargeTokens(n: number): boolean {
    this.tokensUsed += n;
    if (this.tokensUsed > this.spec.tokenBudget) {
      this.record('budget-exhausted', `${this.tokensUsed} tokens`, `the step's budget of ${this.spec.tokenBudget} tokens is spent`);
      return false;
    }
    return true;
  }

  /** Absolute path for reading a repository-relative path, or a recorded refusal. */
  resolveForRead(path: string): string {
    return this.resolve(path);
  }

  /** The text of a repository-relative regular file: confined, never a FIFO or device, bounded in size. */
  readText(path: string): string {
    return readRegularFile(this.resolve(path), { display: path });
  }

  /** Absolute path for writing; the path must also match one of the writable globs. */
  resolveForWrite(path: string): string {
    const abs = this.resolve(path);
    const rel = relative(this.realRoot, abs).split(sep).join('/');
    if (!this.writableRes.some((re) => re.test(rel))) {
      this.refuse('not-writable', path, `"${rel}" is outside the writable paths (${this.spec.writable.join(', ') || 'none'})`);
    }
    if (rel === '.git' || rel.startsWith('.git/')) this.refuse('not-writable', path, 'the .git directory is never writable');
    return abs;
  }

  noteWrite(path: string): void {
    this.written.add(relative(this.realRoot, path).split(sep).join('/'));
  }

  isAllowedCommand(command: string): boolean {
    return matchAllowList(command, this.spec.allowedCommands) !== undefined;
  }

  /** Runs an allow-listed command in the worktree without a shell. */
  async runCommand(command: string): Promise<CommandRun> {
    const trimmed = command.trim();
    const allowed = matchAllowList(trimmed, this.spec.allowedCommands);
    if (!allowed) {
      this.refuse(
        'command-not-allowed',
        command,
        `"${trimmed}" is not on the allow-list and matches none of its patterns (${this.spec.allowedCommands.join(', ')})`,
      );
    }
    const [file, ...args] = words(trimmed);
    const sandbox = this.spec.sandbox ?? { mode: 'required' };
    let invocation: { file: string; args: string[]; env: Record<string, string> };
    const probe = sandbox.mode === 'off' ? undefined : probeSandbox(inheritedEnvironment(['PATH']).PATH);
    let unconfinedNote = '';
    if (probe?.ok) {
      invocation = sandboxCommand(probe, { worktree: this.realRoot, file: file!, args, spec: sandbox, env: inheritedEnvironment() });
    } else {
      if (probe && sandbox.mode === 'required') {
        this.refuse(
          'sandbox-unavailable',
          trimmed,
          `commands run only inside the OS sandbox and none is available: ${probe.reason} (or set agent.sandbox: when-available or off in .rh-agentic/team.yaml to run them unconfined)`,
        );
      }
      // Opted out in team.yaml: the environment is still reduced, but /proc, HOME and the network stay reachable.
      if (probe) unconfinedNote = `ran unconfined (agent.sandbox: when-available): ${probe.reason}`;
      invocation = { file: file!, args, env: unconfinedEnv(inheritedEnvironment()) };
    }
    const started = Date.now();
    const cap = this.spec.outputCapBytes ?? defaultOutputCap;
    const progress = this.spec.whileRunning ? setInterval(() => this.spec.whileRunning?.(trimmed, Date.now() - started), commandProgressEveryMs) : undefined;
    const result = await new Promise<{ code: number | null; timedOut: boolean; out: string }>((resolvePromise) => {
      execFile(
        invocation.file,
        invocation.args,
        {
          cwd: this.realRoot,
          env: invocation.env,
          timeout: this.spec.commandTimeoutsMs?.[allowed.entry.trim()] ?? this.spec.commandTimeoutMs ?? defaultTimeoutMs,
          killSignal: 'SIGKILL',
          maxBuffer: hardOutputLimit,
          encoding: 'utf8',
          windowsHide: true,
        },
        (err, stdout, stderr) => {
          const out = `${stdout}${stderr ? (stdout ? '\n' : '') + stderr : ''}`;
          if (!err) return resolvePromise({ code: 0, timedOut: false, out });
          const e = err as NodeJS.ErrnoException & { code?: number | string; killed?: boolean; signal?: string };
          const timedOut = e.killed === true && e.signal === 'SIGKILL';
          if (typeof e.code === 'number') return resolvePromise({ code: e.code, timedOut, out });
          resolvePromise({ code: null, timedOut, out: `${out}\n${e.message}` });
        },
      );
    }).finally(() => clearInterval(progress));
    const { text, truncated } = capOutput(redactSecrets(unconfinedNote ? `${unconfinedNote}\n${result.out}` : result.out), cap);
    const run: CommandRun = { command: trimmed, exitCode: result.code, timedOut: result.timedOut, durationMs: Date.now() - started, output: text, truncated };
    this.commandLog.push(run);
    return run;
  }

  private resolve(path: string): string {
    if (typeof path !== 'string' || path.length === 0) this.refuse('path-traversal', String(path), 'empty path');
    if (isAbsolute(path) || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('~')) {
      this.refuse('absolute-path', path, 'paths are relative to the worktree; absolute paths are refused');
    }
    const normalized = normalize(path);
    if (normalized === '..' || normalized.startsWith(`..${sep}`) || path.split(/[\\/]/).includes('..')) {
      this.refuse('path-traversal', path, '".." segments are refused');
    }
    const abs = join(this.realRoot, normalized);
    // Follow symlinks on the longest existing prefix: a link inside the tree may point outside it.
    let probe = abs;
    while (!existsSync(probe) && probe !== this.realRoot) {
      try {
        lstatSync(probe); // a dangling symlink exists for lstat but not for existsSync
        break;
      } catch {
        probe = dirname(probe);
      }
    }
    let real: string;
    try {
      real = realpathSync(probe);
    } catch {
      this.refuse('symlink-escape', path, 'a dangling symlink cannot be followed safely');
    }
    const tail = relative(probe, abs);
    const final = tail ? join(real, tail) : real;
    if (final !== this.realRoot && !final.startsWith(this.realRoot + sep)) {
      this.refuse('symlink-escape', path, `"${path}" resolves outside the worktree`);
    }
    return final;
  }

  /** Records a refusal that does not interrupt the caller (the budget check decides on its own). */
  record(kind: RefusalKind, request: string, reason: string): Refusal {
    const refusal: Refusal = { kind, request: redactSecrets(request).slice(0, 500), reason: redactSecrets(reason), at: new Date().toISOString() };
    this.refusalLog.push(refusal);
    return refusal;
  }

  private refuse(kind: RefusalKind, request: string, reason: string): never {
    throw new ScopeRefusal(this.record(kind, request, reason));
  }
}

function capOutput(text: string, cap: number): { text: string; truncated: boolean } {
  if (Buffer.byteLength(text) <= cap) return { text, truncated: false };
  const half = Math.floor(cap / 2);
  const omitted = text.length - 2 * half;
  return { text: `${text.slice(0, half)}\n… [${omitted} characters omitted] …\n${text.slice(-half)}`, truncated: true };
}

// The operating-system sandbox around every command RH-A runs. Cleaning the child's environment is not
// enough: a test file the agent writes and `go test ./...` runs could read the worker's own environment
// through /proc, files under HOME, an inherited descriptor, or send them over the network. So each command
// runs under bubblewrap (https://github.com/containers/bubblewrap) with:
//   - new network, pid, ipc and uts namespaces: no network at all, and /proc shows only the sandbox;
//   - the whole file system read-only, /tmp and HOME (and any path the caller names) masked by empty tmpfs;
//   - only the worktree and a build cache writable; the worktree's git metadata read-only, so a command
//     cannot plant a hook that the host's own `git commit` would run outside the sandbox;
//   - an environment reduced to an allow-list, also for bwrap itself (it becomes pid 1 in the sandbox and
//     its /proc/1/environ is readable from inside);
//   - every descriptor beyond stdin/stdout/stderr closed before bwrap starts (bwrap passes them through).
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

export type SandboxMode = 'required' | 'when-available' | 'off';

export interface SandboxSpec {
  /**
   * `required` (default): commands run only inside the sandbox, and are refused where none is available.
   * `when-available`: confined where the sandbox exists, unconfined (with a note in the evidence) elsewhere.
   */
  mode: SandboxMode;
  /** Absolute paths masked with an empty file system inside the sandbox (e.g. the product's data folder). */
  hide?: readonly string[];
  /** Writable folder for build caches (GOCACHE, GOMODCACHE, GOPATH); defaults to a per-user folder under the OS temp dir. */
  cacheDir?: string;
}

/** What the runtime adds to the team's sandbox mode: folders to mask and the cache folder. */
export type SandboxPlacement = Omit<SandboxSpec, 'mode'>;

/** Command time limits from team.yaml, in the units Scope takes. */
export function commandTimeouts(team: { agent: { default_command_timeout?: number; command_timeouts?: Record<string, number> } }): {
  commandTimeoutMs?: number;
  commandTimeoutsMs?: Record<string, number>;
} {
  const per = Object.fromEntries(Object.entries(team.agent.command_timeouts ?? {}).map(([c, s]) => [c.trim(), s * 1000]));
  return { ...(team.agent.default_command_timeout ? { commandTimeoutMs: team.agent.default_command_timeout * 1000 } : {}), commandTimeoutsMs: per };
}

/** The sandbox for a step: the mode from team.yaml (`agent.sandbox`, default required) plus the runtime's placement. */
export function sandboxSpec(team: { agent: { sandbox?: SandboxMode } }, placement: SandboxPlacement = {}): SandboxSpec {
  return { mode: team.agent.sandbox ?? 'required', ...placement };
}

/** Environment variables a build may see; everything else (tokens, secrets, URLs with credentials) stays out. */
const passThrough = ['PATH', 'LANG', 'GOROOT', 'GOFLAGS', 'GOTOOLCHAIN'] as const;

/** Where HOME points inside the sandbox: a folder in the sandbox's private /tmp. */
export const sandboxHome = '/tmp/home';

export function defaultSandboxCacheDir(): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  return join(tmpdir(), `sitroom-sandbox-cache-${uid}`);
}

/** The allow-listed environment for a command, given the caller's environment and the cache folder. */
export function sandboxEnv(from: NodeJS.ProcessEnv, cacheDir: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of passThrough) {
    const v = from[k];
    if (v !== undefined) env[k] = v;
  }
  env.HOME = sandboxHome;
  env.TMPDIR = '/tmp';
  env.GOCACHE = join(cacheDir, 'go-build');
  env.GOMODCACHE = join(cacheDir, 'go-mod');
  env.GOPATH = join(cacheDir, 'gopath');
  // Builds in the sandbox never reach the network.
  env.GOPROXY = 'off';
  env.GOTOOLCHAIN ??= 'local';
  env.GIT_TERMINAL_PROMPT = '0';
  return env;
}

/** Environment for a command run without the sandbox (opted out): the allow-list plus the real HOME and Go caches. */
export function unconfinedEnv(from: NodeJS.ProcessEnv): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of [...passThrough, 'HOME', 'TMPDIR', 'GOCACHE', 'GOPATH', 'GOMODCACHE']) {
    const v = from[k];
    if (v !== undefined) env[k] = v;
  }
  env.GOPROXY = 'off';
  env.GOTOOLCHAIN ??= 'local';
  env.GIT_TERMINAL_PROMPT = '0';
  return env;
}

/** Finds an executable on PATH (no shell). */
function which(name: string, path: string | undefined): string | undefined {
  for (const dir of (path ?? '/usr/bin:/bin').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export type SandboxProbe = { ok: true; bwrap: string; bash: string } | { ok: false; reason: string };
let probed: SandboxProbe | undefined;

/**
 * Whether bubblewrap is installed and can create the namespaces here (checked once per process: some
 * containers forbid user or network namespaces even where bwrap is installed).
 */
export function probeSandbox(path: string | undefined): SandboxProbe {
  if (probed) return probed;
  const bwrap = which('bwrap', path);
  const bash = ['/bin/bash', '/usr/bin/bash'].find((p) => existsSync(p));
  if (!bwrap) return (probed = { ok: false, reason: 'bubblewrap (bwrap) is not installed; on Debian: apt-get install -y bubblewrap' });
  if (!bash) return (probed = { ok: false, reason: 'bash is needed to close inherited descriptors before the sandbox starts' });
  try {
    execFileSync(bwrap, [...namespaceArgs, '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', 'true'], {
      env: { PATH: path ?? '' },
      stdio: 'pipe',
      timeout: 10_000,
    });
  } catch (err) {
    const stderr = String((err as { stderr?: Buffer }).stderr ?? '').trim();
    return (probed = { ok: false, reason: `bubblewrap cannot create a sandbox here: ${stderr || (err as Error).message}` });
  }
  return (probed = { ok: true, bwrap, bash });
}

const namespaceArgs = ['--unshare-net', '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try', '--die-with-parent', '--new-session'];

// Runs inside bash before bwrap: closes every descriptor above 2 that the worker inherited without
// close-on-exec (Node opens its own with it, but a parent process or a native module may not).
const closeFdsScript = 'for p in /proc/self/fd/*; do n=${p##*/}; if [ "$n" -gt 2 ] 2>/dev/null; then eval "exec $n>&-"; fi; done 2>/dev/null; exec "$@"';

/** Git metadata a worktree needs to read: its `.git` (folder or file), and for a linked worktree its gitdir and the common dir. */
export function gitMetadataPaths(worktree: string): string[] {
  const dotGit = join(worktree, '.git');
  let st;
  try {
    st = lstatSync(dotGit);
  } catch {
    return [];
  }
  if (st.isDirectory()) return [dotGit];
  if (!st.isFile()) return [];
  const m = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, 'utf8'));
  if (!m) return [dotGit];
  const gitDir = resolve(worktree, m[1]!.trim());
  const paths = [dotGit, gitDir];
  try {
    const common = readFileSync(join(gitDir, 'commondir'), 'utf8').trim();
    if (common) paths.push(resolve(gitDir, common));
  } catch {
    // a gitdir without commondir is a plain repository
  }
  return paths.filter((p) => existsSync(p)).map((p) => realpathSync(p));
}

export interface SandboxedCommand {
  file: string;
  args: string[];
  env: Record<string, string>;
}

/**
 * The argv that runs `file args` in `worktree` inside the sandbox. Mount order matters: later mounts cover
 * earlier ones, so the masks come first and the worktree, caches and git metadata are bound back on top.
 */
export function sandboxCommand(
  probe: Extract<SandboxProbe, { ok: true }>,
  opts: { worktree: string; file: string; args: readonly string[]; spec: SandboxSpec; env: NodeJS.ProcessEnv },
): SandboxedCommand {
  const cacheDir = resolve(opts.spec.cacheDir ?? defaultSandboxCacheDir());
  mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
  const env = sandboxEnv(opts.env, cacheDir);
  const hidden = new Set<string>(['/tmp', '/root', '/home', '/run', '/var/tmp']);
  hidden.add(homedir());
  for (const p of opts.spec.hide ?? []) if (isAbsolute(p)) hidden.add(p);
  const masks = [...hidden].filter((p) => existsSync(p)).sort((a, b) => a.length - b.length);
  const args: string[] = [...namespaceArgs, '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc'];
  for (const p of masks) args.push('--tmpfs', p);
  args.push('--dir', sandboxHome, '--bind', cacheDir, cacheDir, '--bind', opts.worktree, opts.worktree);
  for (const p of gitMetadataPaths(opts.worktree)) args.push('--ro-bind', p, p);
  args.push('--chdir', opts.worktree, '--clearenv');
  for (const [k, v] of Object.entries(env)) args.push('--setenv', k, v);
  args.push('--', opts.file, ...opts.args);
  // bash -c SCRIPT NAME ARGS: $0 is NAME, "$@" is bwrap and its arguments.
  return { file: probe.bash, args: ['-c', closeFdsScript, 'sitroom-sandbox', probe.bwrap, ...args], env };
}

// `npx sitroom doctor` as an operator runs it after a deployment (bin/sitroom.js), with only the variables
// the deployment sets plus PATH and HOME, and the reading of its report: one line per check, then its fix.
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../../src/paths.js';

const exec = promisify(execFile);

/** The doctor's exit code and everything it printed (stdout, then stderr when it failed). */
export async function runDoctor(vars: Record<string, string>): Promise<{ code: number; out: string }> {
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), ...vars };
  try {
    const { stdout } = await exec(process.execPath, [join(repoRoot, 'bin/sitroom.js'), 'doctor'], { cwd: repoRoot, env, timeout: 120_000 });
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** The printed line of one check and its fix line (empty when the check is not in the report). */
export function doctorLine(out: string, check: string): string {
  const lines = out.split('\n');
  const i = lines.findIndex((l) => l.includes(`  ${check}: `));
  return i < 0 ? '' : [lines[i], lines[i + 1]?.startsWith('      fix:') ? lines[i + 1] : ''].join('\n');
}

// Reads .rh-agentic/ from the target repository. Every problem names the file, the line and the field.
import { existsSync, lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { PathRefused, readRegularFile } from '../fs/confine.js';
import { basename, join, relative, resolve } from 'node:path';
import { UserError } from '../contracts/failures.js';
import { validateYaml, YamlValidationError, type YamlIssue } from '../yaml/validate.js';
import { repoRoot } from '../paths.js';
import type { Environment } from './environment.js';
import { RoleFile, TeamConfig } from './schema.js';

/** A config file's text; a file that cannot be read as a regular file is a "file: message" problem. */
function readConfigFile(path: string, display: (p: string) => string): string {
  try {
    return readRegularFile(path, { maxBytes: 1024 * 1024 });
  } catch (err) {
    if (err instanceof PathRefused)
      throw new YamlValidationError([{ file: display(path), line: 0, path: '(file)', message: err.message.slice(path.length + 2) }]);
    throw err;
  }
}

export interface LoadedConfig {
  targetRepo: string;
  team: TeamConfig;
  roles: Map<string, RoleFile>;
}

/** The example repository shipped for the demo; TARGET_REPO points elsewhere. */
export const exampleTargetRepo = join(repoRoot, 'examples', 'target-repo');

/** TARGET_REPO (already parsed from the environment) or the shipped example. */
export function targetRepoOf(paths: Pick<Environment['paths'], 'targetRepo'>): string {
  return resolve(paths.targetRepo ?? exampleTargetRepo);
}

export interface ConfigEntry {
  path: string;
  size: number;
  mtimeMs: number;
}

/**
 * Every entry under .rh-agentic/, seen without following symbolic links into folders (so a link to a
 * parent folder cannot make the walk endless). A link that loops or dangles, and anything that is not a
 * regular file or folder (FIFO, device, socket), is a problem reported as "file: message" — the same for
 * start-up, config reloads and `sitroom config check`.
 */
export function scanConfigTree(dir: string, display: (p: string) => string = (p) => p): { files: ConfigEntry[]; problems: YamlIssue[] } {
  const files: ConfigEntry[] = [];
  const problems: YamlIssue[] = [];
  const problem = (path: string, message: string) => problems.push({ file: display(path), line: 0, path: '(file)', message });
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d).sort();
    } catch (err) {
      problem(d, `cannot list: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      return;
    }
    for (const name of names) {
      const path = join(d, name);
      let st = lstatSync(path, { throwIfNoEntry: false });
      if (!st) continue; // removed while walking
      if (st.isSymbolicLink()) {
        try {
          realpathSync(path);
          st = statSync(path);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          problem(path, code === 'ELOOP' ? 'symbolic link loop' : code === 'ENOENT' ? 'symbolic link to a missing file' : `unreadable symbolic link (${code})`);
          continue;
        }
        if (st.isDirectory()) {
          // Not followed: a linked folder may lead back up the tree.
          files.push({ path, size: 0, mtimeMs: st.mtimeMs });
          continue;
        }
      }
      if (st.isDirectory()) walk(path);
      else if (st.isFile()) files.push({ path, size: st.size, mtimeMs: st.mtimeMs });
      else problem(path, 'not a regular file (a FIFO, device or socket); config files must be regular files');
    }
  };
  if (existsSync(dir)) walk(dir);
  return { files, problems };
}

export function loadConfig(targetRepo: string = exampleTargetRepo): LoadedConfig {
  const dir = join(targetRepo, '.rh-agentic');
  const teamPath = join(dir, 'team.yaml');
  const display = (p: string) => relative(process.cwd(), p) || p;
  const tree = scanConfigTree(dir, display);
  if (tree.problems.length > 0) throw new YamlValidationError(tree.problems);
  if (!existsSync(teamPath)) {
    throw new UserError(`${teamPath}: missing. The target repository needs .rh-agentic/team.yaml (set TARGET_REPO to a repository that has one).`, {
      file: teamPath,
    });
  }
  const issues: YamlIssue[] = [];
  const texts = new Map<string, string>();
  /** Line of the first "key:" in a file, for problems found across files after schema validation. */
  const lineOfKey = (path: string, key: string) => {
    const lines = (texts.get(path) ?? '').split('\n');
    const index = lines.findIndex((l) => new RegExp(`^\\s*${key}\\s*:`).test(l));
    return index >= 0 ? index + 1 : 1;
  };
  let team: TeamConfig | undefined;
  try {
    texts.set(teamPath, readConfigFile(teamPath, display));
    team = validateYaml(display(teamPath), texts.get(teamPath)!, TeamConfig);
  } catch (err) {
    if (err instanceof YamlValidationError) issues.push(...err.issues);
    else throw err;
  }
  const roles = new Map<string, RoleFile>();
  const rolesDir = join(dir, 'roles');
  const roleFiles = existsSync(rolesDir)
    ? readdirSync(rolesDir)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
    : [];
  for (const file of roleFiles) {
    const path = join(rolesDir, file);
    try {
      texts.set(path, readConfigFile(path, display));
      const role = validateYaml(display(path), texts.get(path)!, RoleFile);
      const expected = basename(file).replace(/\.ya?ml$/, '');
      if (role.developer !== expected) {
        issues.push({ file: display(path), line: lineOfKey(path, 'developer'), path: 'developer', message: `must match the file name "${expected}"` });
      }
      roles.set(role.developer, role);
    } catch (err) {
      if (err instanceof YamlValidationError) issues.push(...err.issues);
      else throw err;
    }
  }
  if (team) {
    const personas = new Set(team.personas.map((p) => p.id));
    for (const role of roles.values()) {
      if (!personas.has(role.persona)) {
        const rolePath = join(rolesDir, `${role.developer}.yaml`);
        issues.push({
          file: display(rolePath),
          line: lineOfKey(rolePath, 'persona'),
          path: 'persona',
          message: `unknown persona "${role.persona}"; team.yaml defines ${[...personas].join(', ')}`,
        });
      }
    }
    for (const command of Object.keys(team.agent.command_timeouts)) {
      if (!team.agent.allowed_commands.includes(command.trim()))
        issues.push({
          file: display(teamPath),
          line: lineOfKey(teamPath, 'command_timeouts'),
          path: 'agent.command_timeouts',
          message: `"${command}" is not on agent.allowed_commands`,
        });
    }
    for (const who of [...team.approvals.approvers, ...(team.approvals.backup_approver ? [team.approvals.backup_approver] : [])]) {
      if (!roles.has(who))
        issues.push({
          file: display(teamPath),
          line: lineOfKey(teamPath, who === team.approvals.backup_approver ? 'backup_approver' : 'approvers'),
          path: 'approvals',
          message: `"${who}" has no role file in .rh-agentic/roles/`,
        });
    }
  }
  if (issues.length > 0) throw new YamlValidationError(issues);
  return { targetRepo, team: team!, roles };
}

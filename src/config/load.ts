// Reads .rh-agentic/ from the target repository. Every problem names the file, the line and the field.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { validateYaml, YamlValidationError, type YamlIssue } from '../yaml/validate.js';
import { repoRoot } from '../db/client.js';
import type { Environment } from './environment.js';
import { RoleFile, TeamConfig } from './schema.js';

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

export function loadConfig(targetRepo: string = exampleTargetRepo): LoadedConfig {
  const dir = join(targetRepo, '.rh-agentic');
  const teamPath = join(dir, 'team.yaml');
  if (!existsSync(teamPath)) {
    throw new UserError(`${teamPath}: missing. The target repository needs .rh-agentic/team.yaml (set TARGET_REPO to a repository that has one).`, { file: teamPath });
  }
  const display = (p: string) => relative(process.cwd(), p) || p;
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
    texts.set(teamPath, readFileSync(teamPath, 'utf8'));
    team = validateYaml(display(teamPath), texts.get(teamPath)!, TeamConfig);
  } catch (err) {
    if (err instanceof YamlValidationError) issues.push(...err.issues);
    else throw err;
  }
  const roles = new Map<string, RoleFile>();
  const rolesDir = join(dir, 'roles');
  const roleFiles = existsSync(rolesDir) ? readdirSync(rolesDir).filter((f) => /\.ya?ml$/.test(f)).sort() : [];
  for (const file of roleFiles) {
    const path = join(rolesDir, file);
    try {
      texts.set(path, readFileSync(path, 'utf8'));
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
        issues.push({ file: display(rolePath), line: lineOfKey(rolePath, 'persona'), path: 'persona', message: `unknown persona "${role.persona}"; team.yaml defines ${[...personas].join(', ')}` });
      }
    }
    for (const who of [...team.approvals.approvers, ...(team.approvals.backup_approver ? [team.approvals.backup_approver] : [])]) {
      if (!roles.has(who)) issues.push({ file: display(teamPath), line: lineOfKey(teamPath, who === team.approvals.backup_approver ? 'backup_approver' : 'approvers'), path: 'approvals', message: `"${who}" has no role file in .rh-agentic/roles/` });
    }
  }
  if (issues.length > 0) throw new YamlValidationError(issues);
  return { targetRepo, team: team!, roles };
}

// Reads .rh-agentic/ from the target repository. Every problem names the file, the line and the field.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { validateYaml, YamlValidationError, type YamlIssue } from '../yaml/validate.js';
import { repoRoot } from '../db/client.js';
import { RoleFile, TeamConfig } from './schema.js';

export interface LoadedConfig {
  targetRepo: string;
  team: TeamConfig;
  roles: Map<string, RoleFile>;
}

/** The example repository shipped for the demo; TARGET_REPO points elsewhere. */
export const exampleTargetRepo = join(repoRoot, 'examples', 'target-repo');

export function targetRepoFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.TARGET_REPO ?? exampleTargetRepo);
}

export function loadConfig(targetRepo: string = targetRepoFromEnv()): LoadedConfig {
  const dir = join(targetRepo, '.rh-agentic');
  const teamPath = join(dir, 'team.yaml');
  if (!existsSync(teamPath)) {
    throw new UserError(`${teamPath}: missing. The target repository needs .rh-agentic/team.yaml (set TARGET_REPO to a repository that has one).`, { file: teamPath });
  }
  const display = (p: string) => relative(process.cwd(), p) || p;
  const issues: YamlIssue[] = [];
  let team: TeamConfig | undefined;
  try {
    team = validateYaml(display(teamPath), readFileSync(teamPath, 'utf8'), TeamConfig);
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
      const role = validateYaml(display(path), readFileSync(path, 'utf8'), RoleFile);
      const expected = basename(file).replace(/\.ya?ml$/, '');
      if (role.developer !== expected) {
        issues.push({ file: display(path), line: 1, path: 'developer', message: `must match the file name "${expected}"` });
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
        issues.push({ file: display(join(rolesDir, `${role.developer}.yaml`)), line: 1, path: 'persona', message: `unknown persona "${role.persona}"; team.yaml defines ${[...personas].join(', ')}` });
      }
    }
    for (const who of [...team.approvals.approvers, ...(team.approvals.backup_approver ? [team.approvals.backup_approver] : [])]) {
      if (!roles.has(who)) issues.push({ file: display(teamPath), line: 1, path: 'approvals', message: `"${who}" has no role file in .rh-agentic/roles/` });
    }
  }
  if (issues.length > 0) throw new YamlValidationError(issues);
  return { targetRepo, team: team!, roles };
}

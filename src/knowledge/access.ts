// Who may do what with the team's knowledge: curators review proposals into the pattern library; everybody
// else is refused with a message the surfaces show as is.
import type { LoadedConfig } from '../config/load.js';

/** A rule of the knowledge process was broken (wrong person, wrong state). Surfaces show the message as is. */
export class KnowledgeAccessError extends Error {
  override readonly name = 'KnowledgeAccessError';
}

export interface Curators {
  isCurator(developerId: string): boolean;
}

/** Curators are the team's approvers and every developer whose persona is "tech-lead". */
export function curatorsFromConfig(config: Pick<LoadedConfig, 'team' | 'roles'>): Curators {
  const ids = new Set(config.team.approvals.approvers);
  for (const role of config.roles.values()) if (role.persona === 'tech-lead') ids.add(role.developer);
  return { isCurator: (id) => ids.has(id) };
}

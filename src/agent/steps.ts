// Chooses RH-A's implementation: Claude when ANTHROPIC_API_KEY is set, the offline agent otherwise.
import { join } from 'node:path';
import type { Environment } from '../config/environment.js';
import type { TeamConfig } from '../config/schema.js';
import { repoRoot } from '../paths.js';
import type { Agent } from './agent.js';
import { createClaudeAgent } from './claude.js';
import { patternKnowledge } from './knowledge.js';
import { type DomainModelPort, type KnowledgePort } from './model-port.js';
import { loadModelPort } from './domain-port.js';
import { createOfflineAgent } from './offline.js';
import type { SandboxPlacement } from './sandbox.js';

export type { Agent } from './agent.js';
export { needsModelMessage } from './agent.js';

export interface AgentDeps {
  targetRepo: string;
  team: TeamConfig;
  model?: DomainModelPort;
  knowledge?: KnowledgePort;
  /** Defaults to Situation Room's domain-models/. */
  domainModelsDir?: string;
  /** ANTHROPIC_API_KEY, _BASE_URL and _MODEL, parsed at start; no key means the offline agent. */
  anthropic: Environment['anthropic'];
  /** Folders the command sandbox masks (the product's data folder) and where it keeps build caches. */
  sandbox?: SandboxPlacement;
}

export function createAgent(deps: AgentDeps): Agent {
  const model = deps.model ?? loadModelPort(deps.domainModelsDir ?? join(repoRoot, 'domain-models'));
  const knowledge = deps.knowledge ?? patternKnowledge(deps.targetRepo, deps.team.pattern_library);
  const { apiKey, baseUrl, model: modelId } = deps.anthropic;
  if (!apiKey)
    return createOfflineAgent({ model, knowledge, team: deps.team, targetRepo: deps.targetRepo, ...(deps.sandbox ? { sandbox: deps.sandbox } : {}) });
  return createClaudeAgent({
    apiKey,
    ...(baseUrl ? { baseURL: baseUrl } : {}),
    ...(modelId ? { model: modelId } : {}),
    domain: model,
    knowledge,
    team: deps.team,
    targetRepo: deps.targetRepo,
    ...(deps.sandbox ? { sandbox: deps.sandbox } : {}),
  });
}

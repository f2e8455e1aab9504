// The pattern library of the target repository as a knowledge port for the agent.
import { loadPatternFiles } from '../knowledge/patterns.js';
import { staticKnowledge, type KnowledgePort } from './model-port.js';

export function patternKnowledge(targetRepo: string, libraryDir?: string): KnowledgePort {
  const patterns = loadPatternFiles(targetRepo, libraryDir);
  return staticKnowledge(
    patterns
      .filter((p) => p.state === 'approved')
      .map((p) => ({ id: p.id, title: p.title, body: p.body, source: p.sourcePath, files: p.applicability.files, components: p.applicability.components })),
  );
}

// The repositories a loopback GitHub serves: the example repository checked out under the scratch folder,
// and bare repositories (the upstream, forks) that start from its main branch.
import { join } from 'node:path';
import { createExampleRepo } from '../../src/integrations/example-repo.js';
import { git } from '../../src/integrations/git.js';

/** Creates `<scratch>/repo` from the example and each bare repository in `bares`, pushed with its main; returns the checkout's folder. */
export async function exampleRepoWithUpstreams(scratch: string, bares: string[]): Promise<string> {
  const repoDir = (await createExampleRepo(join(scratch, 'repo'))).dir;
  for (const bare of bares) {
    await git(scratch, ['init', '-q', '--bare', '-b', 'main', bare]);
    await git(repoDir, ['push', '-q', bare, 'main']);
  }
  return repoDir;
}

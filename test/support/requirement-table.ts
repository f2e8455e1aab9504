// What a test may need beyond `npm install`, how the run notices it is missing and the command that
// provides it. Shared by the tests (test/support/requirements.ts) and the summary line at the end of the
// run (test/support/skip-summary.ts), which runs in vitest's main process and must not import vitest's
// test API.
export const chromiumPath = '/usr/bin/chromium';

export type RequirementName = 'chromium' | 'postgres' | 'docker-compose' | 'helm' | 'bubblewrap';

export const requirementTable: Record<RequirementName, { label: string; enable: string }> = {
  chromium: { label: 'Chromium', enable: `apt-get install chromium (the tests drive ${chromiumPath})` },
  postgres: {
    label: 'PostgreSQL',
    enable: 'apt-get install postgresql (the tests start a server of their own), or DATABASE_URL=postgres://USER:PASSWORD@127.0.0.1:5432/postgres npm test',
  },
  'docker-compose': { label: 'docker-compose', enable: 'apt-get install docker-compose (validates docker-compose.yml, no engine needed)' },
  bubblewrap: { label: 'bubblewrap', enable: 'apt-get install bubblewrap (the OS sandbox around the commands RH-A runs)' },
  helm: { label: 'helm', enable: 'go install helm.sh/helm/v3/cmd/helm@v3.22.0 (lints and renders the Helm chart)' },
};

/** The note a skipped test carries: "needs <name>: <why>". The summary groups skips by <name>. */
export const skipNotePrefix = 'needs ';
export function skipNote(name: RequirementName, why: string): string {
  return `${skipNotePrefix}${name}: ${why}`;
}
export function requirementOfNote(note: string | undefined): RequirementName | undefined {
  if (!note?.startsWith(skipNotePrefix)) return undefined;
  const name = note.slice(skipNotePrefix.length).split(':')[0] as RequirementName;
  return name in requirementTable ? name : undefined;
}

/** The annotation type of a test that ran a substitute step for a missing requirement (its message is a skip note). */
export const substituteAnnotation = 'needs-substitute';

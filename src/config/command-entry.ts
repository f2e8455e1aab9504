// The grammar of an entry of team.yaml `agent.allowed_commands` (the rules are listed in
// src/agent/command-allowlist.ts, which matches commands against the entries). It lives with the config so
// loading team.yaml refuses a bad entry at its line, before RH-A ever reads the list.

/** The characters a command word may hold: no quoting, globbing, expansion or redirection. */
export const safeWord = /^[A-Za-z0-9_./=:,+@%-]+$/;
/** Go's package pattern suffix: `PATH/...` covers PATH and every package under it. */
export const packageSuffix = '/...';

export function words(command: string): string[] {
  return command.trim().split(/\s+/).filter(Boolean);
}

export function isPatternWord(word: string): boolean {
  return word.endsWith(packageSuffix) || word.includes('*');
}

/** True when the entry has a pattern word (so it is not a fixed command). */
export function isPatternEntry(entry: string): boolean {
  return words(entry).slice(1).some(isPatternWord);
}

/** What is wrong with an allow-list entry, or undefined when it can be used. */
export function allowListEntryProblem(entry: string): string | undefined {
  const ws = words(entry);
  if (ws.length === 0) return 'empty command';
  if (isPatternWord(ws[0]!)) return `the program "${ws[0]}" must be written out, not a pattern`;
  const bad = ws.find((w) => !safeWord.test(w.replaceAll('*', '')));
  if (bad !== undefined) return `"${bad}" has a character outside letters, digits and _ . / = : , + @ % - (commands run without a shell; quote nothing)`;
  for (const w of ws.slice(1)) {
    if (!isPatternWord(w)) continue;
    const body = w.endsWith(packageSuffix) ? w.slice(0, -packageSuffix.length) : w;
    if (body.includes('...')) return `"${w}": "..." may only end a package pattern`;
    if (body.split('/').some((s) => s === '..')) return `"${w}": a pattern may not climb with ".."`;
  }
  return undefined;
}

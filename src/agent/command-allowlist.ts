// The commands RH-A may run: team.yaml `agent.allowed_commands`, each an exact command or a pattern of one.
// Commands run as argv, never through a shell, so a pattern only has to keep a command to the program and
// arguments the team meant. The rules that make sure of that:
//   - a command and the entry it matches have the same number of words: a pattern never adds an argument;
//   - a word may hold only letters, digits and `_ . / = : , + @ % -`: no quoting, globbing, expansion or
//     redirection characters ever reach a program, even as literal text;
//   - literal words match exactly; the first word (the program) is always literal;
//   - `PATH/...` (Go's package pattern) matches PATH, PATH/..., and any package or package pattern under PATH;
//   - `*` matches letters, digits and `_ . -` within one path segment (never `/`);
//   - a word matched by a pattern never starts with `-` unless the pattern word does (no smuggled flags), and
//     never has a `..` or empty path segment (no climbing out of the worktree).

import { allowListEntryProblem, isPatternEntry, isPatternWord, packageSuffix, safeWord, words } from '../config/command-entry.js';

// The entry grammar is checked when team.yaml loads; re-exported for the agent's callers.
export { allowListEntryProblem, isPatternEntry, words };

const segment = /^[A-Za-z0-9_.-]+$/;

export interface AllowListMatch {
  /** The allow-list entry the command matched, as written in team.yaml (its key for per-command timeouts). */
  entry: string;
}

function segmentRegExp(patternSegment: string): RegExp {
  const body = patternSegment
    .split('*')
    .map((part) => part.replace(/[.+^${}()|[\]\\?]/g, '\\$&'))
    .join('[A-Za-z0-9_.-]*');
  return new RegExp(`^${body}$`);
}

/** No `..` segment and no empty one (a leading `/` aside): the word cannot climb out of the worktree. */
function noClimb(word: string): boolean {
  return word.split('/').every((s, i) => s !== '..' && (s !== '' || i === 0));
}

function wordMatches(pattern: string, word: string): boolean {
  if (!isPatternWord(pattern)) return pattern === word;
  if (word.startsWith('-') && !pattern.startsWith('-')) return false;
  if (!noClimb(word)) return false;
  const patternSegments = pattern.split('/');
  const wordSegments = word.split('/');
  const same = (n: number) => patternSegments.slice(0, n).every((p, i) => segmentRegExp(p).test(wordSegments[i]!));
  if (pattern.endsWith(packageSuffix)) {
    // PATH/... : PATH itself, or PATH/sub/dirs, optionally ending in /... again.
    const root = patternSegments.length - 1;
    const rest = wordSegments.slice(root);
    if (wordSegments.length < root || !same(root)) return false;
    return rest.every((s, i) => (s === '...' ? i === rest.length - 1 : segment.test(s) && !s.includes('...')));
  }
  return patternSegments.length === wordSegments.length && same(patternSegments.length);
}

/** The allow-list entry a command matches, or undefined. An exact entry wins over patterns. */
export function matchAllowList(command: string, entries: readonly string[]): AllowListMatch | undefined {
  const cmd = words(command);
  if (cmd.length === 0 || cmd.some((w) => !safeWord.test(w))) return undefined;
  const normalised = cmd.join(' ');
  const exact = entries.find((e) => words(e).join(' ') === normalised);
  if (exact !== undefined) return { entry: exact };
  // The most specific pattern wins, so its time limit applies: `go test ./...` covers every package too.
  const matching = entries.filter((entry) => {
    if (!isPatternEntry(entry) || allowListEntryProblem(entry)) return false;
    const pattern = words(entry);
    return pattern.length === cmd.length && pattern.every((p, i) => wordMatches(p, cmd[i]!));
  });
  const best = matching.sort((a, b) => words(b).join(' ').length - words(a).join(' ').length)[0];
  return best === undefined ? undefined : { entry: best };
}

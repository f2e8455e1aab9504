// A guard for regular expressions that come from input (the agent's search, OWNERS filters, flake
// signatures). JavaScript's engine backtracks, so a repeated group that can itself match in several ways —
// `(a+)+`, `(a|aa)*`, `(.*x){20}` — takes time exponential in the line's length. Those shapes, and the
// features that defeat any bound (back-references, look-arounds), are refused with a reason; callers that
// run a pattern over large input also give it a time budget.

export const maxPatternLength = 200;
const maxRepeats = 8;

/** Why `pattern` is refused, or undefined when it is safe to compile. */
export function unsafeRegexReason(pattern: string): string | undefined {
  if (pattern.length > maxPatternLength) return `a pattern may have at most ${maxPatternLength} characters`;
  // Per open group: whether it contains a repetition or an alternation.
  const groups: Array<{ repeats: boolean; alternates: boolean }> = [{ repeats: false, alternates: false }];
  let repeats = 0;
  let lastAtom: { repeats: boolean; alternates: boolean } | undefined;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    const top = groups[groups.length - 1]!;
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (/[1-9]/.test(next) || (next === 'k' && pattern[i + 2] === '<')) return 'back-references are not supported';
      i++;
      lastAtom = { repeats: false, alternates: false };
      continue;
    }
    if (c === '[') {
      // A character class is one atom; skip to its closing bracket.
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j += pattern[j] === '\\' ? 2 : 1;
      i = j;
      lastAtom = { repeats: false, alternates: false };
      continue;
    }
    if (c === '(') {
      if (pattern.startsWith('(?=', i) || pattern.startsWith('(?!', i) || pattern.startsWith('(?<=', i) || pattern.startsWith('(?<!', i))
        return 'look-arounds are not supported';
      groups.push({ repeats: false, alternates: false });
      lastAtom = undefined;
      continue;
    }
    if (c === ')') {
      const closed = groups.pop();
      if (!closed || groups.length === 0) return 'unbalanced parentheses';
      const parent = groups[groups.length - 1]!;
      parent.repeats ||= closed.repeats;
      lastAtom = closed;
      continue;
    }
    if (c === '|') {
      top.alternates = true;
      lastAtom = undefined;
      continue;
    }
    const quantifier = /^(?:[*+]|\{\d*,?\d*\})/.exec(pattern.slice(i));
    if (quantifier || c === '?') {
      const q = quantifier?.[0] ?? '?';
      const repeating = q !== '?' && q !== '{0,1}' && q !== '{1}' && q !== '{0}';
      if (repeating) {
        if (lastAtom && (lastAtom.repeats || lastAtom.alternates))
          return 'a repeated group may not contain another repetition or an alternation (nested quantifiers backtrack exponentially)';
        if (++repeats > maxRepeats) return `a pattern may repeat at most ${maxRepeats} times`;
        top.repeats = true;
      }
      i += q.length - 1;
      // A lazy or possessive marker after the quantifier belongs to it.
      if (pattern[i + 1] === '?') i++;
      lastAtom = undefined;
      continue;
    }
    lastAtom = { repeats: false, alternates: false };
  }
  if (groups.length !== 1) return 'unbalanced parentheses';
  return undefined;
}

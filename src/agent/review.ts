// Offline review of a diff or snippet: the domain model's boundary rules plus the conventions this
// team keeps correcting by hand. Pure: text in, findings out.
import { parseUnifiedDiff } from '../domain/diff.js';
import type { DomainModelPort } from './model-port.js';
import type { ReviewFinding } from './types.js';

interface NewLine {
  file: string;
  line: number;
  text: string;
  added: boolean;
}

export function looksLikeDiff(text: string): boolean {
  return /^(\+\+\+ |@@ )/m.test(text);
}

/** New-side lines (context and added) of a unified diff; a bare snippet counts as all added. */
export function newSideLines(text: string, snippetName = 'snippet.go'): NewLine[] {
  if (!looksLikeDiff(text)) return text.split('\n').map((t, i) => ({ file: snippetName, line: i + 1, text: t, added: true }));
  // Hunks without a "+++" header name no file, so there is no new side to review.
  if (!/^\+\+\+ /m.test(text)) return [];
  return parseUnifiedDiff(text).flatMap((f) =>
    f.newPath === null
      ? []
      : f.hunks.flatMap((h) =>
          h.lines.filter((l) => l.kind !== 'del').map((l) => ({ file: f.newPath!, line: l.newLine!, text: l.text, added: l.kind === 'add' })),
        ),
  );
}

export const isCamelCase = (s: string): boolean => /^[A-Z][A-Za-z0-9]*$/.test(s);

const indentOf = (s: string): number => /^\s*/.exec(s)![0].replace(/\t/g, '    ').length;

/** Runs every review rule; boundary findings from the domain model are blockers. */
export function reviewDiff(text: string, model: DomainModelPort): ReviewFinding[] {
  const lines = newSideLines(text);
  const findings: ReviewFinding[] = [];
  const diffForModel = looksLikeDiff(text)
    ? text
    : `--- a/snippet.go\n+++ b/snippet.go\n@@ -0,0 +1,${lines.length} @@\n${lines.map((l) => `+${l.text}`).join('\n')}`;
  for (const f of model.checkDiff(diffForModel)) {
    findings.push({
      rule: f.rule,
      severity: 'blocker',
      file: f.file,
      ...(f.line !== undefined ? { line: f.line } : {}),
      message: f.message,
      ...(f.insteadDo ? { insteadDo: f.insteadDo } : {}),
    });
  }

  for (const l of lines) {
    if (!l.added) continue;
    const constant = /^\s*(\w+(?:Reason|ConditionType|Type))\s+(?:ConditionType\s+)?=\s*"([^"]*)"/.exec(l.text);
    if (constant && !isCamelCase(constant[2]!)) {
      findings.push({
        rule: 'condition-value-camelcase',
        severity: 'blocker',
        file: l.file,
        line: l.line,
        message: `${constant[1]} = "${constant[2]}" is not CamelCase; clients and alerts match on these values`,
        insteadDo: `use a CamelCase value such as "${toCamel(constant[2]!)}"`,
      });
    }
    for (const literal of l.text.matchAll(/\b(Reason|Type):\s*"([^"]+)"/g)) {
      if (!/hypershift-operator|controllers|snippet/.test(l.file)) break;
      const [, field, value] = literal as unknown as [string, string, string];
      if (!isCamelCase(value)) {
        findings.push({
          rule: 'condition-value-camelcase',
          severity: 'blocker',
          file: l.file,
          line: l.line,
          message: `${field} "${value}" is not CamelCase; clients and alerts match on these values`,
          insteadDo: `use a CamelCase constant such as ${field === 'Reason' ? `${toCamel(value)}Reason` : toCamel(value)} = "${toCamel(value)}" from api/hypershift/v1beta1/nodepool_conditions.go`,
        });
      }
      findings.push({
        rule: 'condition-literal-not-const',
        severity: 'warning',
        file: l.file,
        line: l.line,
        message: `inline ${field} "${value}": condition types and reasons come from constants in the API package`,
        insteadDo: 'declare the constant in api/hypershift/v1beta1/nodepool_conditions.go and use it here',
      });
    }
  }

  // Loops over machines: API calls inside the body, or names collected into a message.
  const summaries: Array<{ finding: ReviewFinding; from: number; to: number }> = [];
  for (let i = 0; i < lines.length; i++) {
    const head = lines[i]!;
    const loop = /^\s*for\s+.*\brange\s+([\w.]+)/.exec(head.text);
    if (!loop) continue;
    const bodyIndent = indentOf(head.text);
    const body: NewLine[] = [];
    for (let j = i + 1; j < lines.length && lines[j]!.file === head.file; j++) {
      const l = lines[j]!;
      if (l.text.trim() !== '' && indentOf(l.text) <= bodyIndent) break;
      body.push(l);
    }
    for (const l of body) {
      if (l.added && /\.(?:[Ll]ist\w*|Get)\(|\b[Ll]ist\w*\(ctx/.test(l.text) && !/^\s*\/\//.test(l.text)) {
        findings.push({
          rule: 'no-api-calls-per-item-in-reconcile',
          severity: 'blocker',
          file: l.file,
          line: l.line,
          message: `an API call inside the loop over ${loop[1]} runs once per item on every reconcile (O(n) calls against the management cluster)`,
          insteadDo: "reuse the list you already have: fetch once before the loop (the reconcile already lists the NodePool's machines) and index it in memory",
        });
      }
    }
    // append(names, m.Name), msg += m.Name, or msg = msg + ", " + m.Name: each machine's name goes into the text.
    const collectsNames = [head, ...body].some(
      (l) =>
        /append\(\s*\w+\s*,\s*\w+\.(Name|GetName\(\))/.test(l.text) ||
        /\+=.*\b\w+\.(Name|GetName\(\))/.test(l.text) ||
        /\b(\w+)\s*=\s*\1\s*\+.*\b\w+\.(Name|GetName\(\))/.test(l.text),
    );
    const rest = lines.slice(i).filter((l) => l.file === head.file);
    const intoMessage = rest.some((l) => /Message|Sprintf|strings\.Join/.test(l.text));
    if (collectsNames && intoMessage && /machine|node|item/i.test(loop[1]!) && [head, ...body].some((l) => l.added)) {
      summaries.push({
        from: i,
        to: i + body.length,
        finding: {
          rule: 'condition-message-summarise',
          severity: 'warning',
          file: head.file,
          line: head.line,
          message: `the message lists every element of ${loop[1]}; with hundreds of machines it becomes unreadable and is rewritten on every status update`,
          insteadDo: 'summarise with counts ("%d of %d machines are not ready") and at most a small bounded sample',
        },
      });
    }
  }
  // Report the innermost loop that builds the message, not every loop around it.
  for (const s of summaries) {
    if (!summaries.some((o) => o !== s && o.from > s.from && o.from <= s.to)) findings.push(s.finding);
  }
  return dedupe(findings);
}

function toCamel(s: string): string {
  return s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

function dedupe(findings: ReviewFinding[]): ReviewFinding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.rule}|${f.file}|${f.line ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function summariseFindings(findings: ReviewFinding[]): string {
  if (findings.length === 0) return 'No boundary or convention problems found in the changed lines.';
  const blockers = findings.filter((f) => f.severity === 'blocker').length;
  const lines = findings.map(
    (f) => `- [${f.severity}] ${f.file}${f.line ? `:${f.line}` : ''} ${f.rule}: ${f.message}${f.insteadDo ? `\n  → ${f.insteadDo}` : ''}`,
  );
  return [`${findings.length} finding(s), ${blockers} blocking:`, ...lines].join('\n');
}

// The agent's tools: Anthropic tool definitions plus executors bound to one scope. Tool results are
// data handed back to the model; nothing in them (file text, CI logs, PR comments) is ever read as an
// instruction by this code, and the scope is frozen, so no result can widen what the next call may do.
import { existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type Anthropic from '@anthropic-ai/sdk';
import { z } from 'zod';
import { maxPatternLength } from '../domain/safe-regex.js';
import { PathRefused } from '../fs/confine.js';
import { redactSecrets } from '../observability/logger.js';
import type { DomainModelPort, KnowledgePort } from './model-port.js';
import { readRegularText, searchableFiles } from './file-search.js';
import { RegexRefused, searchWithBudget } from './regex-search.js';
import { reviewDiff, summariseFindings } from './review.js';
import { isPatternEntry } from './command-allowlist.js';
import type { Scope } from './scope.js';
import { ScopeRefusal, globToRegExp } from './scope.js';
import type { ToolCallRecord } from './types.js';

export interface ToolResult {
  content: string;
  isError: boolean;
}

export interface ToolDeps {
  scope: Scope;
  model: DomainModelPort;
  knowledge: KnowledgePort;
  /** The worktree diff for check_diff when the model passes none. */
  worktreeDiff?: () => Promise<string>;
}

const maxReadChars = 60_000;
const maxSearchHits = 50;
const maxSearchFileBytes = 2_000_000;
/** Wall-clock budget for one regex search over the worktree. */
const regexBudgetMs = 3_000;

const inputs = {
  read_file: z.strictObject({
    path: z.string().min(1),
    offset_line: z.number().int().min(1).optional(),
    max_lines: z.number().int().min(1).max(5000).optional(),
  }),
  search_files: z.strictObject({
    pattern: z.string().min(1).max(maxPatternLength),
    path_glob: z
      .string()
      .max(200)
      .refine((g) => (g.match(/\*/g) ?? []).length <= 8, 'at most 8 wildcards')
      .optional(),
    regex: z.boolean().optional(),
  }),
  write_file: z.strictObject({ path: z.string().min(1), content: z.string() }),
  replace_in_file: z.strictObject({ path: z.string().min(1), old_text: z.string().min(1), new_text: z.string() }),
  run_command: z.strictObject({ command: z.string().min(1) }),
  query_domain_model: z.strictObject({ question: z.string().min(1) }),
  check_diff: z.strictObject({ diff: z.string().optional() }),
  lookup_knowledge: z.strictObject({ query: z.string().min(1) }),
};
export type ToolName = keyof typeof inputs;

/** Definitions sent to the Messages API; descriptions say what the tool refuses so the model need not probe. */
export function toolDefinitions(scope: Scope): Anthropic.Tool[] {
  const commands = scope.spec.allowedCommands.join(', ');
  const obj = (properties: Record<string, unknown>, required: string[]): Anthropic.Tool.InputSchema => ({ type: 'object', properties, required });
  return [
    {
      name: 'read_file',
      description: 'Read a file of the worktree (path relative to the repository root). Returns numbered lines.',
      input_schema: obj({ path: { type: 'string' }, offset_line: { type: 'integer', minimum: 1 }, max_lines: { type: 'integer', minimum: 1 } }, ['path']),
    },
    {
      name: 'search_files',
      description: 'Search the worktree for a literal string (or a regex when regex=true); optional path_glob like "api/**/*.go". Returns path:line: text.',
      input_schema: obj({ pattern: { type: 'string' }, path_glob: { type: 'string' }, regex: { type: 'boolean' } }, ['pattern']),
    },
    {
      name: 'write_file',
      description: `Create or overwrite a file. Only these paths are writable: ${scope.spec.writable.join(', ')}.`,
      input_schema: obj({ path: { type: 'string' }, content: { type: 'string' } }, ['path', 'content']),
    },
    {
      name: 'replace_in_file',
      description: 'Replace one exact, unique occurrence of old_text with new_text in a writable file.',
      input_schema: obj({ path: { type: 'string' }, old_text: { type: 'string' }, new_text: { type: 'string' } }, ['path', 'old_text', 'new_text']),
    },
    scope.spec.allowedCommands.some(isPatternEntry)
      ? {
          name: 'run_command',
          description: `Run one command in the worktree, as written on the allow-list or matching one of its patterns: ${commands}. A pattern keeps the number of words; "PATH/..." stands for PATH or any package under it, "*" for part of one path segment. No shell, no quoting, no extra flags.`,
          input_schema: obj({ command: { type: 'string' } }, ['command']),
        }
      : {
          name: 'run_command',
          description: `Run one command in the worktree, exactly as written on the allow-list: ${commands}. No shell, no other commands.`,
          input_schema: obj({ command: { type: 'string', enum: [...scope.spec.allowedCommands] } }, ['command']),
        },
    {
      name: 'query_domain_model',
      description: 'Ask the domain model (components, ownership, boundary rules, failure modes, invariants). Answers cite model nodes and files.',
      input_schema: obj({ question: { type: 'string' } }, ['question']),
    },
    {
      name: 'check_diff',
      description: 'Check a unified diff (default: the worktree changes) against boundary rules and team conventions, like `sitroom check`.',
      input_schema: obj({ diff: { type: 'string' } }, []),
    },
    {
      name: 'lookup_knowledge',
      description: "Look up the team's curated patterns and experience notes.",
      input_schema: obj({ query: { type: 'string' } }, ['query']),
    },
  ];
}

export interface ToolRunner {
  run(name: string, input: unknown): Promise<ToolResult>;
  readonly calls: ToolCallRecord[];
}

export function createToolRunner(deps: ToolDeps): ToolRunner {
  const { scope } = deps;
  const calls: ToolCallRecord[] = [];
  const executors: Record<ToolName, (input: never) => Promise<string> | string> = {
    read_file: ({ path, offset_line, max_lines }: z.infer<typeof inputs.read_file>) => {
      let text: string;
      try {
        text = scope.readText(path);
      } catch (err) {
        if (err instanceof PathRefused) throw new ToolInputError(err.message);
        throw err;
      }
      const lines = text.split('\n');
      const start = (offset_line ?? 1) - 1;
      const slice = lines.slice(start, start + (max_lines ?? 2000));
      const numbered = slice.map((l, i) => `${String(start + i + 1).padStart(5)}  ${l}`).join('\n');
      return redactSecrets(numbered.length > maxReadChars ? `${numbered.slice(0, maxReadChars)}\n… [truncated; use offset_line]` : numbered);
    },
    search_files: async ({ pattern, path_glob, regex }: z.infer<typeof inputs.search_files>) => {
      const root = scope.resolveForRead('.');
      const globRe = path_glob ? globToRegExp(path_glob) : undefined;
      const texts = () => searchableFiles(root, { maxBytes: maxSearchFileBytes, ...(globRe ? { include: (rel: string) => globRe.test(rel) } : {}) });
      const hits: string[] = [];
      const hit = (rel: string, i: number, line: string) => hits.push(`${rel}:${i + 1}: ${line.trim().slice(0, 200)}`);
      if (regex) {
        const found = await searchWithBudget(pattern, texts(), { limit: maxSearchHits, budgetMs: regexBudgetMs }).catch((err: unknown) => {
          throw err instanceof RegexRefused ? new ToolInputError(err.message) : err;
        });
        const byFile = new Map<string, string[]>();
        for (const { rel, line } of found) {
          if (!byFile.has(rel)) byFile.set(rel, ((await readRegularText(join(root, rel), maxSearchFileBytes)) ?? '').split('\n'));
          hit(rel, line, byFile.get(rel)![line] ?? '');
        }
      } else {
        for await (const { rel, text } of texts()) {
          text.split('\n').forEach((line, i) => {
            if (hits.length < maxSearchHits && line.includes(pattern)) hit(rel, i, line);
          });
          if (hits.length >= maxSearchHits) break;
        }
      }
      return redactSecrets(hits.length ? hits.join('\n') : 'no matches');
    },
    write_file: ({ path, content }: z.infer<typeof inputs.write_file>) => {
      const abs = scope.resolveForWrite(path);
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, content);
      scope.noteWrite(abs);
      return `wrote ${path} (${content.length} characters)`;
    },
    replace_in_file: ({ path, old_text, new_text }: z.infer<typeof inputs.replace_in_file>) => {
      const abs = scope.resolveForWrite(path);
      if (!existsSync(abs)) throw new ToolInputError(`${path}: no such file`);
      let text: string;
      try {
        text = scope.readText(path);
      } catch (err) {
        if (err instanceof PathRefused) throw new ToolInputError(err.message);
        throw err;
      }
      const count = text.split(old_text).length - 1;
      if (count !== 1) throw new ToolInputError(`old_text occurs ${count} times in ${path}; it must occur exactly once`);
      writeFileSync(
        abs,
        text.replace(old_text, () => new_text),
      );
      scope.noteWrite(abs);
      return `replaced 1 occurrence in ${path}`;
    },
    run_command: async ({ command }: z.infer<typeof inputs.run_command>) => {
      const run = await scope.runCommand(command);
      const status = run.timedOut ? 'timed out' : `exit code ${run.exitCode}`;
      return `$ ${run.command}\n${status} after ${run.durationMs} ms${run.truncated ? ' (output truncated)' : ''}\n${run.output}`;
    },
    query_domain_model: ({ question }: z.infer<typeof inputs.query_domain_model>) => {
      const answer = deps.model.answer(question);
      if (!answer) return 'The domain model has no answer for that question.';
      if (answer.kind === 'needs-model') return answer.text; // what it found, so the model can ask again by the model's names
      return `${answer.text}\nCitations: ${answer.citations.map((c) => `${c.node}${c.ref ? ` (${c.ref})` : ''}`).join('; ')}`;
    },
    check_diff: async ({ diff }: z.infer<typeof inputs.check_diff>) => {
      const text = diff ?? (deps.worktreeDiff ? await deps.worktreeDiff() : '');
      if (!text.trim()) return 'no changes to check';
      return summariseFindings(reviewDiff(text, deps.model));
    },
    lookup_knowledge: ({ query }: z.infer<typeof inputs.lookup_knowledge>) => {
      const hits = deps.knowledge.lookup(query);
      return hits.length ? hits.map((h) => `## ${h.title} (${h.id}, ${h.source})\n${h.body}`).join('\n\n') : 'no matching knowledge';
    },
  };

  return {
    calls,
    async run(name, input) {
      const schema = (inputs as Record<string, z.ZodType>)[name];
      const exec = (executors as Record<string, (input: unknown) => Promise<string> | string>)[name];
      if (!schema || !exec) {
        calls.push({ tool: name, ok: false, summary: 'unknown tool' });
        return { content: `unknown tool "${name}"`, isError: true };
      }
      const parsed = schema.safeParse(input);
      if (!parsed.success) {
        calls.push({ tool: name, ok: false, summary: 'invalid input' });
        return {
          content: `invalid input for ${name}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
          isError: true,
        };
      }
      try {
        const content = await exec(parsed.data);
        calls.push({ tool: name, ok: true, summary: describe(name, parsed.data) });
        return { content, isError: false };
      } catch (err) {
        if (err instanceof ScopeRefusal || err instanceof ToolInputError) {
          calls.push({ tool: name, ok: false, summary: `${describe(name, parsed.data)}: ${err.message}` });
          return { content: err.message, isError: true };
        }
        throw err;
      }
    },
  };
}

export class ToolInputError extends Error {
  override readonly name = 'ToolInputError';
}

function describe(name: string, input: unknown): string {
  const i = input as Record<string, unknown>;
  const arg = i.path ?? i.command ?? i.pattern ?? i.question ?? i.query ?? '';
  return redactSecrets(`${name}(${String(arg).slice(0, 120)})`);
}

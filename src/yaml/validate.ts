// Parses YAML and validates it with a zod schema, turning every problem into "file:line path: message"
// so a person can jump straight to the offending field. Pure: takes text, returns data or throws UserError.
import { isAlias, isMap, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { UserError } from '../contracts/failures.js';

export interface YamlIssue {
  file: string;
  line: number;
  path: string;
  message: string;
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out || '(root)';
}

/** The 1-based line of the deepest node that exists along `path` (a missing key points at its parent). */
export function lineOf(doc: Document, counter: LineCounter, path: ReadonlyArray<PropertyKey>): number {
  let node: Node | null | undefined = doc.contents as Node | null;
  let offset = node?.range?.[0] ?? 0;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => {
        const k = p.key as { value?: unknown } | null;
        return k !== null && typeof k === 'object' && String(k.value) === String(key);
      });
      if (!pair) break;
      const keyNode = pair.key as Node | null;
      offset = keyNode?.range?.[0] ?? offset;
      node = pair.value as Node | null;
    } else if (isSeq(node) && typeof key === 'number') {
      const item = node.items[key] as Node | undefined;
      if (!item) break;
      node = item;
      offset = item.range?.[0] ?? offset;
    } else {
      break;
    }
  }
  return counter.linePos(offset).line;
}

/** "file:line path: message", or "file: message" for a problem with the file itself (line 0). */
export function formatIssue(i: YamlIssue): string {
  return i.line > 0 ? `${i.file}:${i.line} ${i.path}: ${i.message}` : `${i.file}: ${i.message}`;
}

export class YamlValidationError extends UserError {
  constructor(readonly issues: YamlIssue[]) {
    super(issues.map(formatIssue).join('\n'), {
      file: issues[0]?.file,
      line: issues[0]?.line,
      field: issues[0]?.path,
    });
  }
}

export interface ParsedYaml {
  doc: Document;
  counter: LineCounter;
}

export function parseYamlText(file: string, text: string): ParsedYaml {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new YamlValidationError(
      doc.errors.map((e) => ({
        file,
        line: e.linePos?.[0]?.line ?? counter.linePos(e.pos[0]).line,
        path: '(syntax)',
        message: e.message.split('\n')[0] ?? e.message,
      })),
    );
  }
  return { doc, counter };
}

/**
 * Aliases a config file may expand. Each alias copies its anchor's whole subtree, so a few nested ones
 * ("billion laughs") would expand to gigabytes; the yaml library stops at this count and the file is refused.
 * https://eemeli.org/yaml/#tojs-options
 */
export const maxAliasCount = 50;

/** The document as plain data, with alias expansion bounded; an excess names the line of the first alias. */
export function toData(file: string, doc: Document, counter: LineCounter): unknown {
  try {
    return doc.toJS({ maxAliasCount });
  } catch (err) {
    let line = 1;
    visit(doc, {
      Alias(_key, node) {
        if (isAlias(node) && node.range) {
          line = counter.linePos(node.range[0]).line;
          return visit.BREAK;
        }
        return undefined;
      },
    });
    const message = /alias/i.test((err as Error).message)
      ? `aliases expand too far (more than ${maxAliasCount} expansions); write the values out instead`
      : (err as Error).message.split('\n')[0]!;
    throw new YamlValidationError([{ file, line, path: '(aliases)', message }]);
  }
}

export function validateYaml<S extends z.ZodType>(file: string, text: string, schema: S): z.output<S> {
  const { doc, counter } = parseYamlText(file, text);
  const result = schema.safeParse(toData(file, doc, counter));
  if (result.success) return result.data;
  throw new YamlValidationError(
    result.error.issues.map((issue) => ({
      file,
      line: lineOf(doc, counter, issue.path),
      path: formatPath(issue.path),
      message: issue.message,
    })),
  );
}

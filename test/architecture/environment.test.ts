// The environment is read in one place: src/config parses it once at start and hands typed slices down.
// The lint rule (eslint.config.js) catches `process.env`; this test also catches the other spellings of the
// same read (`process['env']`, `const { env } = process`, `import { env } from 'node:process'`) in src/ and
// workflows/, and it reads code only, so a comment that names process.env is not a read.
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { productFiles, root } from './graph.js';

const processModules = new Set(['process', 'node:process']);

const isProcess = (node: ts.Expression): boolean =>
  (ts.isIdentifier(node) && node.text === 'process') ||
  (ts.isPropertyAccessExpression(node) && node.name.text === 'process' && ts.isIdentifier(node.expression) && node.expression.text === 'globalThis');

/** Each place the file reads the environment, as "file:line". */
export function environmentReads(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  // Every spelling below names the process object or module; a file without the word needs no parse.
  if (!text.includes('process')) return [];
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const reads: string[] = [];
  const at = (node: ts.Node): void => {
    reads.push(`${relative(root, file)}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}`);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && node.name.text === 'env' && isProcess(node.expression)) at(node);
    else if (
      ts.isElementAccessExpression(node) &&
      isProcess(node.expression) &&
      ts.isStringLiteralLike(node.argumentExpression) &&
      node.argumentExpression.text === 'env'
    )
      at(node);
    else if (ts.isVariableDeclaration(node) && node.initializer && isProcess(node.initializer) && ts.isObjectBindingPattern(node.name)) {
      if (node.name.elements.some((element) => (element.propertyName ?? element.name).getText(source) === 'env')) at(node);
    } else if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && processModules.has(node.moduleSpecifier.text)) {
      const bindings = node.importClause?.namedBindings;
      // A default or namespace import of the process module reaches env the same way, so it counts as well.
      if (node.importClause?.name || (bindings && ts.isNamespaceImport(bindings))) at(node);
      else if (bindings && ts.isNamedImports(bindings) && bindings.elements.some((element) => (element.propertyName ?? element.name).text === 'env')) at(node);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return reads;
}

describe('the environment', () => {
  it('is found in every spelling of the read, and not in comments or strings', () => {
    expect(environmentReads(join(root, 'test/architecture/fixtures/environment-reads.ts'))).toEqual([
      'test/architecture/fixtures/environment-reads.ts:3',
      'test/architecture/fixtures/environment-reads.ts:6',
      'test/architecture/fixtures/environment-reads.ts:7',
      'test/architecture/fixtures/environment-reads.ts:8',
      'test/architecture/fixtures/environment-reads.ts:9',
    ]);
  });

  it('is read only in the config room (src/config)', () => {
    const outside = productFiles().filter((file) => !relative(root, file).startsWith('src/config/'));
    expect(outside.flatMap(environmentReads), 'take the typed configuration slice as a parameter instead').toEqual([]);
  });
});

// The project's own import graph, read by TypeScript's scanner: shared by the architecture tests. Every way one
// module names another counts (value and type-only imports, re-exports, dynamic `import()` and `import('…')`
// types), because each ties the two rooms together; text inside strings and comments never does.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** src/ and workflows/: the code the floors and the cycle check govern. */
export function productFiles(): string[] {
  return [...sourceFiles(join(root, 'src')), ...sourceFiles(join(root, 'workflows'))];
}

/** Every module specifier the file names, in source order (TypeScript's scanner: strings and comments are skipped). */
export function moduleSpecifiers(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles.map((reference) => reference.fileName);
}

/** The project files a file imports (relative specifiers only), as absolute .ts paths. */
export function projectImports(file: string): string[] {
  return moduleSpecifiers(file)
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
}

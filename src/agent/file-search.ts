// The files search_files looks through, read without blocking the event loop: a search over a HyperShift
// checkout reads thousands of files, and on the worker the same process heartbeats other activities. Each
// directory listing and each file read is its own asynchronous call. Vendored code (`vendor/`, at any
// depth, as Go lays it out), `.git` and `node_modules` are skipped: they are not the team's code, and in
// HyperShift `vendor/` holds most of the tree. read_file can still open a vendored file by its path.
import { constants } from 'node:fs';
import { open, opendir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

const skippedDirectories = new Set(['.git', 'node_modules', 'vendor']);

export interface SearchableFile {
  /** Path below the root, with forward slashes. */
  rel: string;
  text: string;
}

/**
 * Text files below `root` whose relative path passes `include`, in directory order. Symlinks are not followed
 * (they may lead out of the worktree); anything that is not a regular file when opened, is larger than
 * `maxBytes`, or holds a NUL byte (binary) is passed over.
 */
export async function* searchableFiles(root: string, opts: { maxBytes: number; include?: (rel: string) => boolean }): AsyncGenerator<SearchableFile> {
  for await (const full of walk(root)) {
    const rel = relative(root, full).split(sep).join('/');
    if (opts.include && !opts.include(rel)) continue;
    const text = await readRegularText(full, opts.maxBytes);
    if (text !== undefined && !text.includes('\0')) yield { rel, text };
  }
}

async function* walk(dir: string): AsyncGenerator<string> {
  let entries;
  try {
    entries = await opendir(dir);
  } catch {
    return; // removed or unreadable since its parent was listed
  }
  const subdirectories: string[] = [];
  for await (const entry of entries) {
    if (entry.isSymbolicLink()) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!skippedDirectories.has(entry.name)) subdirectories.push(full);
    } else if (entry.isFile()) yield full;
  }
  subdirectories.sort();
  for (const sub of subdirectories) yield* walk(sub);
}

/**
 * The file's text when it is (still) a regular file within the size limit, else undefined. Opened without
 * following a swap to a FIFO or a device (O_NONBLOCK, O_NOCTTY) and checked on the open descriptor, as
 * src/fs/confine.ts does for reads by name.
 */
export async function readRegularText(path: string, maxBytes: number): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch {
    return undefined;
  }
  try {
    const st = await handle.stat();
    if (!st.isFile() || st.size > maxBytes) return undefined;
    const buffer = Buffer.alloc(st.size);
    let offset = 0;
    while (offset < st.size) {
      const { bytesRead } = await handle.read(buffer, offset, st.size - offset, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    return buffer.subarray(0, offset).toString('utf8');
  } finally {
    await handle.close();
  }
}

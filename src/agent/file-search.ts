// search_files, run in a worker thread of its own: walking the worktree, reading each file and matching its
// lines all happen there, and the caller's event loop only waits for one message with the hits. A search over
// a HyperShift checkout reads thousands of files; done as asynchronous reads on the caller's thread, each file
// cost four or five callbacks there (open, stat, read, close), which in `npm run dev`, where the worker and
// the Slack app share a process, was a third of that thread's time while a question was being answered, and
// other people's taps waited behind it.
//
// The pattern comes from the model (and so, indirectly, from anything it read), and JavaScript's engine
// backtracks: a regular expression the static guard lets through can still take polynomial time on a long
// line. The thread therefore records in shared memory how long it has spent matching, and the caller
// terminates it once that passes the budget. Reading the files is not the pattern's cost and is not counted.
//
// Vendored code (`vendor/`, at any depth, as Go lays it out), `.git` and `node_modules` are skipped: they are
// not the team's code, and in HyperShift `vendor/` holds most of the tree. read_file can still open a vendored
// file by its path. Symlinks are not followed (they may lead out of the worktree); a file is opened without
// following a swap to a FIFO or a device (O_NONBLOCK, O_NOCTTY) and checked on the open descriptor, as
// src/fs/confine.ts does for reads by name.
import { Worker } from 'node:worker_threads';
import { unsafeRegexReason } from '../domain/safe-regex.js';

export class RegexRefused extends Error {
  override readonly name = 'RegexRefused';
}

export interface SearchHit {
  /** Path below the root, with forward slashes. */
  rel: string;
  /** 0-based line number. */
  line: number;
  /** The line, cut at `maxLineChars`. */
  text: string;
}

export interface SearchRequest {
  root: string;
  pattern: string;
  /** A regular expression when true, else a literal string. */
  regex: boolean;
  /** Only paths (relative, forward slashes) this matches are read. */
  include?: RegExp;
  limit: number;
  /** Larger files, and files holding a NUL byte (binary), are passed over. */
  maxFileBytes: number;
  /** Time the thread may spend matching a regular expression. */
  budgetMs: number;
}

const maxLineChars = 1_000;
const budgetPollMs = 20;

// Plain JavaScript evaluated by the thread. `clock` is shared with the caller: [0] the milliseconds spent
// matching so far, [1] the caller-relative millisecond at which the current match began, or -1 between
// matches.
const threadSource = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const { root, pattern, regex, include, limit, maxFileBytes, maxLineChars, epochMs } = workerData;
const clock = new Int32Array(workerData.clock);
const skipped = new Set(['.git', 'node_modules', 'vendor']);
const includeRe = include ? new RegExp(include.source, include.flags) : undefined;
const re = regex ? new RegExp(pattern) : undefined;
const openFlags = fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY;
const now = () => performance.timeOrigin + performance.now() - epochMs;
const hits = [];
let matchingMs = 0;

function readText(full) {
  let fd;
  try { fd = fs.openSync(full, openFlags); } catch { return undefined; }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile() || st.size > maxFileBytes) return undefined;
    const buffer = Buffer.allocUnsafe(st.size);
    let offset = 0;
    while (offset < st.size) {
      const read = fs.readSync(fd, buffer, offset, st.size - offset, offset);
      if (read === 0) break;
      offset += read;
    }
    return buffer.toString('utf8', 0, offset);
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

function match(rel, text) {
  const lines = text.split('\\n');
  const began = now();
  Atomics.store(clock, 1, Math.floor(began));
  for (let i = 0; i < lines.length && hits.length < limit; i++) {
    if (re ? re.test(lines[i]) : lines[i].includes(pattern)) hits.push({ rel, line: i, text: lines[i].slice(0, maxLineChars) });
  }
  matchingMs += now() - began;
  Atomics.store(clock, 0, Math.ceil(matchingMs));
  Atomics.store(clock, 1, -1);
}

function walk(dir, relDir) {
  let entries;
  try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return; }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const subdirectories = [];
  for (const entry of entries) {
    if (hits.length >= limit) return;
    if (entry.isSymbolicLink()) continue;
    const rel = relDir ? relDir + '/' + entry.name : entry.name;
    if (entry.isDirectory()) {
      if (!skipped.has(entry.name)) subdirectories.push(entry);
    } else if (entry.isFile() && (!includeRe || includeRe.test(rel))) {
      const text = readText(path.join(dir, entry.name));
      if (text !== undefined && !text.includes('\\0')) match(rel, text);
    }
  }
  for (const entry of subdirectories) walk(path.join(dir, entry.name), relDir ? relDir + '/' + entry.name : entry.name);
}

walk(root, '');
parentPort.postMessage(hits);
`;

/**
 * Up to `limit` lines matching the pattern in the worktree's text files, in path order (files of a directory
 * before its subdirectories). Throws RegexRefused for a regular expression the guard refuses, one that does
 * not compile, or one that spends more than `budgetMs` matching.
 */
export async function searchFiles(request: SearchRequest): Promise<SearchHit[]> {
  if (request.regex) {
    const unsafe = unsafeRegexReason(request.pattern);
    if (unsafe) throw new RegexRefused(`regex refused: ${unsafe}`);
    try {
      new RegExp(request.pattern);
    } catch (err) {
      throw new RegexRefused(`invalid regex: ${(err as Error).message}`);
    }
  }
  const epochMs = performance.timeOrigin + performance.now();
  const clock = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
  clock[1] = -1;
  const thread = new Worker(threadSource, {
    eval: true,
    workerData: {
      root: request.root,
      pattern: request.pattern,
      regex: request.regex,
      include: request.include ? { source: request.include.source, flags: request.include.flags } : undefined,
      limit: request.limit,
      maxFileBytes: request.maxFileBytes,
      maxLineChars,
      epochMs,
      clock: clock.buffer,
    },
  });
  let watch: NodeJS.Timeout | undefined;
  try {
    return await new Promise<SearchHit[]>((resolve, reject) => {
      thread.once('message', resolve);
      thread.once('error', (err) => reject(new Error(`file search failed: ${err.message}`)));
      thread.once('exit', (code) => reject(new Error(`file search thread exited (${code}) before it answered`)));
      if (!request.regex) return;
      watch = setInterval(() => {
        const began = Atomics.load(clock, 1);
        const spentMs = Atomics.load(clock, 0) + (began >= 0 ? performance.timeOrigin + performance.now() - epochMs - began : 0);
        if (spentMs > request.budgetMs) {
          reject(new RegexRefused(`regex refused: the search took longer than ${request.budgetMs} ms; use a simpler pattern or a literal search`));
        }
      }, budgetPollMs);
    });
  } finally {
    clearInterval(watch);
    void thread.terminate();
  }
}

// Every file path that comes from input (a diff's paths, a CLI argument, the agent's tool calls, config
// folders) is opened through here: resolved with symbolic links followed, confined to a root when there is
// one, and read only if it is a regular file of bounded size. The type is checked on the open descriptor
// (opened non-blocking), so a FIFO cannot hang the reader and a path swapped after a check is still caught.
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { UserError } from '../contracts/failures.js';

/** Default ceiling for one file read from input: far above any source file, far below memory trouble. */
export const defaultMaxBytes = 16 * 1024 * 1024;

export class PathRefused extends UserError {
  constructor(
    readonly path: string,
    readonly reason: 'outside-root' | 'not-regular' | 'too-large' | 'unreadable',
    message: string,
  ) {
    super(`${path}: ${message}`, { file: path });
  }
}

function describeType(st: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function errnoMessage(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'ELOOP') return 'symbolic link loop';
  if (e.code === 'ENOENT') return 'no such file';
  if (e.code === 'EACCES') return 'permission denied';
  return e.code ?? (err as Error).message;
}

/** True when `child` is `root` or lies below it (both already real paths). */
export function isInside(root: string, child: string): boolean {
  const rel = relative(root, child);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * The real path of `path` (relative to `root`, or absolute) if it stays inside `root` once every
 * symbolic link is followed. Refuses traversal, absolute paths elsewhere, links out, and loops.
 */
export function confinedPath(root: string, path: string, display = path): string {
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
  } catch (err) {
    throw new PathRefused(root, 'unreadable', errnoMessage(err));
  }
  let real: string;
  try {
    real = realpathSync(resolve(realRoot, path));
  } catch (err) {
    throw new PathRefused(display, 'unreadable', errnoMessage(err));
  }
  if (!isInside(realRoot, real)) throw new PathRefused(display, 'outside-root', `resolves outside ${root}`);
  return real;
}

/** Reads a regular file of at most `maxBytes`; FIFOs, devices, sockets and directories are refused without blocking. */
export function readRegularFile(path: string, opts: { maxBytes?: number; display?: string } = {}): string {
  const display = opts.display ?? path;
  const maxBytes = opts.maxBytes ?? defaultMaxBytes;
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (err) {
    throw new PathRefused(display, 'unreadable', errnoMessage(err));
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new PathRefused(display, 'not-regular', `${describeType(st)}, not a regular file`);
    if (st.size > maxBytes) throw new PathRefused(display, 'too-large', `${st.size} bytes, more than the limit of ${maxBytes}`);
    const buf = Buffer.alloc(st.size);
    let off = 0;
    while (off < st.size) {
      const n = readSync(fd, buf, off, st.size - off, off);
      if (n === 0) break;
      off += n;
    }
    return buf.subarray(0, off).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** `confinedPath` then `readRegularFile`: the one way to read a file named by input below a root. */
export function readConfined(root: string, path: string, opts: { maxBytes?: number } = {}): string {
  return readRegularFile(confinedPath(root, path), { ...opts, display: path });
}

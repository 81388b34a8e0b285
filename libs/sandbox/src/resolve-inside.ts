import { lstat, readlink, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

export class PathOutsideWorkspaceError extends Error {
  constructor(
    readonly path: string,
    readonly why: string,
  ) {
    super(`path "${path}" is outside the workspace: ${why}`);
    this.name = 'PathOutsideWorkspaceError';
  }
}

/**
 * The absolute path of `relativePath` inside `workspace`, or a
 * PathOutsideWorkspaceError: for absolute paths, `..` that climbs out, NUL
 * bytes, the git metadata directory, and — on disk — any existing ancestor
 * that is a symlink leading out of the workspace, or a file that is one.
 * Apply it to every path a generator (or a model) hands back before the
 * path is read, written or put in a patch.
 */
export async function resolveInside(workspace: string, relativePath: string): Promise<string> {
  const target = resolveInsideLexically(workspace, relativePath);
  const root = await realpath(workspace);
  // The deepest part of the path that exists decides where it really leads.
  let existing = target;
  for (;;) {
    try {
      await lstat(existing);
      break;
    } catch {
      const parent = dirname(existing);
      if (parent === existing) break;
      existing = parent;
    }
  }
  const real = await realpath(existing).catch(() => existing);
  if (!isWithin(root, real)) throw new PathOutsideWorkspaceError(relativePath, `it leads to ${real} through a symlink`);
  // A symlink as the final component: the link itself is inside, but what it points to must be as well.
  const stat = await lstat(target).catch(() => undefined);
  if (stat?.isSymbolicLink()) {
    const link = await readlink(target);
    const pointsTo = resolve(dirname(join(root, relative(resolve(workspace), target))), link);
    if (!isWithin(root, pointsTo)) throw new PathOutsideWorkspaceError(relativePath, `it is a symlink to ${link}`);
  }
  return target;
}

/** The lexical half of resolveInside, for paths that need not exist. */
export function resolveInsideLexically(workspace: string, relativePath: string): string {
  if (typeof relativePath !== 'string' || relativePath.length === 0) throw new PathOutsideWorkspaceError(String(relativePath), 'it is empty');
  if (relativePath.includes('\0')) throw new PathOutsideWorkspaceError(relativePath, 'it contains a NUL byte');
  if (isAbsolute(relativePath)) throw new PathOutsideWorkspaceError(relativePath, 'it is absolute');
  const root = resolve(workspace);
  const target = resolve(root, relativePath);
  if (!isWithin(root, target) || target === root) throw new PathOutsideWorkspaceError(relativePath, 'it climbs out with ".."');
  const first = relative(root, target).split(sep)[0];
  if (first === '.git') throw new PathOutsideWorkspaceError(relativePath, 'it is git metadata');
  return target;
}

function isWithin(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

import { isLayoutFile, parseProjectLayout, type ProjectLayout } from './project-layout';
import type { TargetRepositoryReader, TreeEntry } from './target-repository.reader';

/** Manifests and configs bigger than this are generated, not the project's layout. */
const MAX_LAYOUT_FILE_BYTES = 256 * 1024;
const MAX_LAYOUT_FILES = 2000;

/** The repository's package names, entry points and path aliases at the planned commit (see `ModuleResolver`). */
export async function readProjectLayout(reader: TargetRepositoryReader, repository: string, tree: readonly TreeEntry[]): Promise<ProjectLayout> {
  const entries = tree.filter((e) => isLayoutFile(e.path) && e.size <= MAX_LAYOUT_FILE_BYTES).slice(0, MAX_LAYOUT_FILES);
  const files: Array<{ path: string; text: string }> = [];
  // A few at a time: each read is a git process.
  for (let i = 0; i < entries.length; i += 8) {
    const slice = entries.slice(i, i + 8);
    const texts = await Promise.all(slice.map((e) => reader.readBlob(repository, e.blob)));
    slice.forEach((e, j) => files.push({ path: e.path, text: texts[j] }));
  }
  return parseProjectLayout(files);
}

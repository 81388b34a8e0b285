/**
 * Maps paths found in reports (absolute paths of the CI machine, `./x`,
 * `file://` URLs, paths inside stack traces) to files tracked in the
 * repository: exact match first, else the tracked file sharing the longest
 * path suffix (at least the file name).
 */
export class RepoPaths {
  private readonly tracked: ReadonlySet<string>;
  private readonly byName = new Map<string, string[]>();

  constructor(files: Iterable<string>) {
    this.tracked = new Set(files);
    for (const file of this.tracked) {
      const name = file.slice(file.lastIndexOf('/') + 1);
      const list = this.byName.get(name) ?? [];
      list.push(file);
      this.byName.set(name, list);
    }
  }

  has(path: string): boolean {
    return this.tracked.has(path);
  }

  resolve(raw: string): string | undefined {
    let path = raw.trim().replace(/^file:\/\//, '').replace(/\\/g, '/');
    path = path.replace(/:\d+(:\d+)?$/, '');
    try {
      path = decodeURIComponent(path);
    } catch {
      // not URI-encoded; keep as is
    }
    const relative = path.replace(/^\.\//, '');
    if (this.tracked.has(relative)) return relative;
    const segments = relative.split('/').filter(Boolean);
    const candidates = this.byName.get(segments[segments.length - 1] ?? '') ?? [];
    let best: string | undefined;
    let bestShared = 0;
    for (const candidate of candidates) {
      const parts = candidate.split('/');
      let shared = 0;
      while (shared < parts.length && shared < segments.length && parts[parts.length - 1 - shared] === segments[segments.length - 1 - shared]) shared += 1;
      // The whole candidate must match (a suffix of the report path), or it is a different file of the same name.
      if (shared === parts.length && shared > bestShared) {
        best = candidate;
        bestShared = shared;
      }
    }
    return best;
  }

  /** Tracked files named anywhere in `text` (e.g. a stack trace), in order of appearance. */
  mentionedIn(text: string): string[] {
    const found: string[] = [];
    for (const match of text.matchAll(/(?:file:\/\/)?((?:[A-Za-z]:)?[\w@.+~\-/\\]+\.[cm]?[jt]sx?)(?::\d+)*/g)) {
      const file = this.resolve(match[1]);
      if (file && !found.includes(file)) found.push(file);
    }
    return found;
  }
}

/** What a unified diff changes, per file: enough to know which lines a change added. */
export interface ChangedFile {
  path: string;
  status: 'added' | 'modified' | 'deleted';
  /** Line number in the new file → the added line's text. */
  addedLines: Map<number, string>;
}

/** Parses `git diff` output (a/ b/ prefixes). Binary files appear with no added lines. */
export function parseUnifiedDiff(diff: string): ChangedFile[] {
  const files: ChangedFile[] = [];
  let current: ChangedFile | undefined;
  let newLine = 0;
  // Between `diff --git` and the first hunk: headers, where `+++ ` is the new path, not an added line.
  let inHeader = false;
  for (const line of diff.split('\n')) {
    if (line.startsWith('diff --git ')) {
      const match = / b\/(.+)$/.exec(line);
      current = { path: match ? match[1] : '', status: 'modified', addedLines: new Map() };
      files.push(current);
      inHeader = true;
      continue;
    }
    if (!current) continue;
    if (inHeader && line.startsWith('new file mode')) current.status = 'added';
    else if (inHeader && line.startsWith('deleted file mode')) current.status = 'deleted';
    else if (inHeader && line.startsWith('+++ ')) {
      if (line !== '+++ /dev/null') current.path = line.slice(4).replace(/^b\//, '');
    } else if (line.startsWith('@@')) {
      inHeader = false;
      const match = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
      newLine = match ? Number(match[1]) : 0;
    } else if (inHeader) {
      continue;
    } else if (line.startsWith('+')) {
      current.addedLines.set(newLine, line.slice(1));
      newLine += 1;
    } else if (line.startsWith(' ')) {
      newLine += 1;
    }
  }
  return files.filter((f) => f.path);
}

export const CODE_FILE = /\.(?:[cm]?[jt]sx?)$/;
export const TS_FILE = /\.(?:[cm]?tsx?)$/;
export const JS_FILE = /\.(?:[cm]?jsx?)$/;

import type { RepoPaths } from './repo-paths';

export interface FileCoverage {
  file: string;
  linesFound: number;
  linesHit: number;
  functionsFound: number;
  functionsHit: number;
  /** Functions never called, when the report names them. */
  uncoveredFunctions: string[];
}

/** Line coverage in percent (100 for a file without lines). */
export function linePercent(coverage: Pick<FileCoverage, 'linesFound' | 'linesHit'>): number {
  return coverage.linesFound === 0 ? 100 : (100 * coverage.linesHit) / coverage.linesFound;
}

/**
 * An lcov tracefile (`SF:` … `end_of_record`), as written by istanbul/nyc,
 * c8, jest and `node --test --test-reporter=lcov`. Files outside the
 * repository are dropped.
 */
export function parseLcov(text: string, paths: RepoPaths): FileCoverage[] {
  const files: FileCoverage[] = [];
  let current: (FileCoverage & { fnHits: Map<string, number> }) | undefined;
  let raw: { lf?: number; lh?: number; fnf?: number; fnh?: number; da: Map<number, number> } = { da: new Map() };
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    const tag = colon === -1 ? line.trim() : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1);
    if (tag === 'SF') {
      const file = paths.resolve(value);
      current = file ? { file, linesFound: 0, linesHit: 0, functionsFound: 0, functionsHit: 0, uncoveredFunctions: [], fnHits: new Map() } : undefined;
      raw = { da: new Map() };
    } else if (!current) continue;
    else if (tag === 'DA') {
      const [lineNo, hits] = value.split(',').map(Number);
      raw.da.set(lineNo, (raw.da.get(lineNo) ?? 0) + (hits || 0));
    } else if (tag === 'LF') raw.lf = Number(value);
    else if (tag === 'LH') raw.lh = Number(value);
    else if (tag === 'FNF') raw.fnf = Number(value);
    else if (tag === 'FNH') raw.fnh = Number(value);
    else if (tag === 'FNDA') {
      const comma = value.indexOf(',');
      const name = value.slice(comma + 1);
      current.fnHits.set(name, (current.fnHits.get(name) ?? 0) + Number(value.slice(0, comma)));
    } else if (tag === 'end_of_record') {
      // LF/LH when present, else counted from DA lines.
      current.linesFound = raw.lf ?? raw.da.size;
      current.linesHit = raw.lh ?? [...raw.da.values()].filter((h) => h > 0).length;
      current.functionsFound = raw.fnf ?? current.fnHits.size;
      current.functionsHit = raw.fnh ?? [...current.fnHits.values()].filter((h) => h > 0).length;
      current.uncoveredFunctions = [...current.fnHits].filter(([, hits]) => hits === 0).map(([name]) => name);
      const { fnHits: _unused, ...coverage } = current;
      files.push(coverage);
      current = undefined;
    }
  }
  return mergeByFile(files);
}

interface SummaryEntry {
  lines?: { total?: number; covered?: number };
  functions?: { total?: number; covered?: number };
}

/** istanbul's `coverage-summary.json` (`json-summary` reporter): `{ total, "<path>": { lines, functions, … } }`. */
export function parseCoverageSummary(text: string, paths: RepoPaths): FileCoverage[] {
  const json = JSON.parse(text) as Record<string, SummaryEntry>;
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new Error('a coverage summary is a JSON object keyed by file');
  const files: FileCoverage[] = [];
  for (const [key, entry] of Object.entries(json)) {
    if (key === 'total' || !entry || typeof entry !== 'object') continue;
    const file = paths.resolve(key);
    if (!file) continue;
    files.push({
      file,
      linesFound: Number(entry.lines?.total ?? 0),
      linesHit: Number(entry.lines?.covered ?? 0),
      functionsFound: Number(entry.functions?.total ?? 0),
      functionsHit: Number(entry.functions?.covered ?? 0),
      uncoveredFunctions: [],
    });
  }
  return mergeByFile(files);
}

/** Several reports may cover one file (e.g. unit and integration runs): keep the better-covered entry. */
export function mergeByFile(entries: FileCoverage[]): FileCoverage[] {
  const byFile = new Map<string, FileCoverage>();
  for (const entry of entries) {
    const seen = byFile.get(entry.file);
    if (!seen || linePercent(entry) > linePercent(seen)) byFile.set(entry.file, entry);
  }
  return [...byFile.values()].sort((a, b) => a.file.localeCompare(b.file));
}

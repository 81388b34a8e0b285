import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

export const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];

export function isSourceFile(path: string): boolean {
  return SOURCE_EXTENSIONS.some((ext) => path.endsWith(ext)) && !path.endsWith('.d.ts');
}

export function isTypeScriptFile(path: string): boolean {
  return /\.(ts|tsx|mts|cts)$/.test(path) && !path.endsWith('.d.ts');
}

/**
 * A TypeScript language service over the repository in the working
 * directory, reading its tsconfig.json when it has one (JavaScript allowed
 * either way), with an in-memory overlay for edits not yet written.
 */
export class TypeScriptProject {
  readonly options: ts.CompilerOptions;
  private readonly overlay = new Map<string, { text: string; version: number }>();
  private readonly service: ts.LanguageService;
  private rootNames: string[];

  constructor(
    readonly root: string,
    files: string[],
  ) {
    const configured = readTsConfig(root);
    this.options = {
      ...configured.options,
      allowJs: true,
      noEmit: true,
      // A project that type-checks its JavaScript keeps doing so; others are not type-checked here.
      checkJs: configured.options.checkJs ?? false,
      skipLibCheck: true,
    };
    if (this.options.target === undefined) this.options.target = ts.ScriptTarget.ES2022;
    // Only the files at hand (their imports come along): a whole large repository would cost seconds per task.
    this.rootNames = unique(files.map((f) => this.abs(f)));
    const host: ts.LanguageServiceHost = {
      getScriptFileNames: () => this.rootNames,
      getScriptVersion: (file) => String(this.overlay.get(file)?.version ?? 0),
      getScriptSnapshot: (file) => {
        const text = this.overlay.get(file)?.text ?? (existsSync(file) ? readFileSync(file, 'utf8') : undefined);
        return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
      },
      getCurrentDirectory: () => root,
      getCompilationSettings: () => this.options,
      getDefaultLibFileName: (options) => ts.getDefaultLibFilePath(options),
      fileExists: (file) => this.overlay.has(file) || ts.sys.fileExists(file),
      readFile: (file) => this.overlay.get(file)?.text ?? ts.sys.readFile(file),
      readDirectory: ts.sys.readDirectory,
      directoryExists: ts.sys.directoryExists,
      getDirectories: ts.sys.getDirectories,
    };
    this.service = ts.createLanguageService(host, ts.createDocumentRegistry());
  }

  get languageService(): ts.LanguageService {
    return this.service;
  }

  abs(file: string): string {
    return join(this.root, file);
  }

  text(file: string): string {
    const abs = this.abs(file);
    return this.overlay.get(abs)?.text ?? readFileSync(abs, 'utf8');
  }

  /** Replaces a file's text in memory (not on disk). */
  update(file: string, text: string): void {
    const abs = this.abs(file);
    const version = (this.overlay.get(abs)?.version ?? 0) + 1;
    this.overlay.set(abs, { text, version });
    if (!this.rootNames.includes(abs)) this.rootNames = [...this.rootNames, abs];
  }

  program(): ts.Program {
    const program = this.service.getProgram();
    if (!program) throw new Error('the TypeScript language service has no program');
    return program;
  }

  sourceFile(file: string): ts.SourceFile {
    const source = this.program().getSourceFile(this.abs(file));
    if (!source) throw new Error(`${file} is not part of the TypeScript program`);
    return source;
  }

  /** Syntactic and semantic errors of one file, as comparable strings. */
  diagnostics(file: string): string[] {
    const abs = this.abs(file);
    const checked = isTypeScriptFile(file) || this.options.checkJs === true;
    const diagnostics = [...this.service.getSyntacticDiagnostics(abs), ...(checked ? this.service.getSemanticDiagnostics(abs) : [])];
    return diagnostics.map((d) => `${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
  }
}

/** Applies language-service text changes to `text` (last first, so offsets stay valid). */
export function applyTextChanges(text: string, changes: readonly ts.TextChange[]): string {
  return [...changes]
    .sort((a, b) => b.span.start - a.span.start)
    .reduce((acc, change) => acc.slice(0, change.span.start) + change.newText + acc.slice(change.span.start + change.span.length), text);
}

function readTsConfig(root: string): { options: ts.CompilerOptions } {
  const path = join(root, 'tsconfig.json');
  if (!existsSync(path)) return { options: { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext } };
  const read = ts.readConfigFile(path, ts.sys.readFile);
  if (read.error) return { options: {} };
  return { options: ts.parseJsonConfigFileContent(read.config, ts.sys, root, undefined, path).options };
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}

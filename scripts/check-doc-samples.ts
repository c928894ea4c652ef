/**
 * `npm run check:docs` (and test/docs/docs.test.ts, in `npm test`): every ```ts / ```tsx block in
 * README.md and docs/*.md is typechecked against the real package, so the docs cannot drift
 * from the API.
 *
 * - Each block becomes its own module (`export {}` is appended), compiled with the repo's
 *   tsconfig: `autosave-kit` and `autosave-kit/*` resolve to src/ through its `paths`.
 * - Free variables that samples use without declaring (`input`, `saver`, `transport`,
 *   `WizardState`, test globals…) come from one shared ambient prelude, `PRELUDE` below.
 *   A sample that declares the same name shadows the prelude's.
 * - Markers, on the line(s) just above the fence:
 *     <!-- sample: skip -->   not compiled — for deliberately partial snippets (an interface
 *                             restated for reading, an object-literal fragment). Use sparingly.
 *     <!-- sample: run -->    compiled, then executed (it must finish without throwing); for
 *                             self-contained samples that need no DOM and no server.
 *     <!-- sample: continues --> compiled after the previous (non-skipped) sample of the same
 *                             file, for a guide that builds one program across several blocks.
 *
 * Usage: `node --import tsx scripts/check-doc-samples.ts` — prints each failing sample with
 * its file:line in the Markdown and exits 1.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { basename, dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import ts from 'typescript'
import { entries } from './check-tsdoc'

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')

export interface DocSample {
  /** Markdown file, relative to the repo root. */
  doc: string
  /** 1-based line of the first code line (the one after the opening fence). */
  line: number
  lang: 'ts' | 'tsx'
  mode: 'check' | 'skip' | 'run'
  /** Marked `continues`: compiled (and run) after the previous sample of the same file. */
  continues: boolean
  code: string
  /** A stable name: `docs/getting-started.md:42`. */
  id: string
}

export interface SampleProblem {
  sample: DocSample
  /** `docs/x.md:LINE:COL: message` lines. */
  messages: string[]
}

/**
 * Names samples may use without declaring them. Keep it small and obvious: a reader should
 * be able to guess what each one is from the sample alone.
 */
export const PRELUDE = `/// <reference types="vitest/globals" />
// A script, not a module: its names are global and its \`declare module\`s are ambient.

// The DOM a vanilla sample wires up.
declare const input: HTMLInputElement
declare const indicator: HTMLElement
declare const form: HTMLFormElement

// An engine, and the parts given to createAutosave, created elsewhere on the page.
declare const saver: import('autosave-kit').Autosave<WizardState>
declare const transport: import('autosave-kit').Transport
declare const store: import('autosave-kit').AutosaveStore
declare const schema: import('autosave-kit').StandardSchema<unknown>
declare const key: string
declare const userId: string
declare const projectId: string
declare const file: File

// The music-clip wizard's state, as the README and the guides use it.
type ChatMessage = { id: string; role: 'user' | 'assistant'; content: string; timestamp: string }
type WizardState = {
  currentStep: string
  chat: ChatMessage[]
  data: { musicDescription: string; isInstrumental: boolean; videoDescription: string; videoStyles: string[] }
}
type State = WizardState

// App code a sample calls into.
declare function toast(message: string): void
declare function showBanner(message: string): void
declare function redirectToLogin(): void
declare function warnUser(): void
declare function getToken(): Promise<string>
declare function userFromSession(request: Request): Promise<{ id: string } | null>
declare const uploads: Map<File, string>
/** A wizard step component a guide defines further down the page. */
declare function MusicStep(props: { projectId: string }): import('react').ReactNode

// The reference handler a guide created in an earlier sample, and what it is mounted on.
declare const autosave: (request: Request) => Promise<Response>
declare const app: { all(path: string, handler: (c: { req: { raw: Request } }) => Promise<Response> | Response): void }
declare const NetInfo: { addEventListener(listener: (state: { isConnected: boolean | null }) => void): () => void }

// Packages the guides mention but the repo does not install: typed loosely, so a sample is
// checked against autosave-kit's API, not theirs.
declare module '@supabase/supabase-js' {
  export type SupabaseClient = any
}
// Installed only in test/react-native (its react-native peer is heavy); the test there checks
// asyncStorageStore against the package's real types.
declare module '@react-native-async-storage/async-storage' {
  const AsyncStorage: import('autosave-kit').AsyncStorageLike
  export default AsyncStorage
}
declare module '@/server/autosave' {
  export const autosave: (request: Request) => Promise<Response>
}
`

const MARKER = /^<!--\s*sample:\s*(skip|run|continues)\b.*-->\s*$/
const FENCE_OPEN = /^(\s*)```\s*([\w-]*)/

/** README.md and docs/*.md (not the generated docs/api). */
export function docFiles(): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`)
  return ['README.md', ...docs]
}

/** The ```ts / ```tsx blocks of one Markdown file, with their markers. */
export function extractSamples(doc: string, text: string = readFileSync(join(root, doc), 'utf8')): DocSample[] {
  const lines = text.split('\n')
  const samples: DocSample[] = []
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE_OPEN.exec(lines[i]!)
    if (!open) continue
    const indent = open[1]!
    const lang = open[2]!.toLowerCase()
    let end = i + 1
    while (end < lines.length && !lines[end]!.startsWith(`${indent}\`\`\``)) end++
    const body = lines.slice(i + 1, end).map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
    const kind = lang === 'ts' || lang === 'typescript' ? 'ts' : lang === 'tsx' ? 'tsx' : undefined
    if (kind) {
      let mode: DocSample['mode'] = 'check'
      let continues = false
      for (let j = i - 1; j >= 0 && lines[j]!.trim() !== ''; j--) {
        const marker = MARKER.exec(lines[j]!.trim())
        if (marker?.[1] === 'continues') continues = true
        else if (marker) mode = marker[1] as 'skip' | 'run'
      }
      samples.push({ doc, line: i + 2, lang: kind, mode, continues, code: body.join('\n'), id: `${doc}:${i + 2}` })
    }
    i = end
  }
  return samples
}

/**
 * The code compiled for a sample: the samples it continues, then its own. `prefixLines` is
 * how many lines come before its own code (their errors belong to the earlier samples).
 */
export function programText(sample: DocSample, samples: readonly DocSample[]): { text: string; prefixLines: number } {
  const chain: DocSample[] = []
  let current = sample
  while (current.continues) {
    const before = samples.filter((s) => s.doc === current.doc && s.line < current.line && s.mode !== 'skip').at(-1)
    if (!before) throw new Error(`${current.id} is marked "continues" but no sample comes before it`)
    chain.unshift(before)
    current = before
  }
  const prefix = chain.map((s) => `${s.code}\n`).join('')
  return { text: `${prefix}${sample.code}\nexport {}\n`, prefixLines: prefix === '' ? 0 : prefix.split('\n').length - 1 }
}

/** Every sample of README.md and docs/*.md. */
export function allSamples(): DocSample[] {
  return docFiles().flatMap((doc) => extractSamples(doc))
}

function virtualPath(sample: DocSample): string {
  // Inside the repo, so bare imports (react, msw, pg) resolve from its node_modules.
  return join(root, '.doc-samples', `${sample.doc.replace(/[/.]/g, '_')}_L${sample.line}.${sample.lang}`)
}

/** Typechecks the samples (all but `skip`) in one program; returns the failing ones. */
export function typecheckSamples(samples: readonly DocSample[] = allSamples()): SampleProblem[] {
  return checkSamples(samples).problems
}

/**
 * The same, also returning the program — it holds the package's entries too, so the
 * TSDoc check can reuse it instead of compiling src/ a second time.
 */
export function checkSamples(samples: readonly DocSample[] = allSamples()): { program: ts.Program; problems: SampleProblem[] } {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(root, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'))
      },
    },
  )
  if (!config) throw new Error('tsconfig.json could not be read')
  const options: ts.CompilerOptions = { ...config.options, noEmit: true }

  const checked = samples.filter((sample) => sample.mode !== 'skip')
  const virtual = new Map<string, string>()
  const owner = new Map<string, DocSample>()
  const preludePath = join(root, '.doc-samples', 'prelude.d.ts')
  virtual.set(preludePath, PRELUDE)
  const prefixes = new Map<string, number>()
  for (const sample of checked) {
    const path = virtualPath(sample)
    const { text, prefixLines } = programText(sample, samples)
    virtual.set(path, text)
    owner.set(path, sample)
    prefixes.set(path, prefixLines)
  }

  const host = ts.createCompilerHost(options)
  const { fileExists, readFile, getSourceFile } = host
  host.fileExists = (file) => virtual.has(resolve(file)) || fileExists.call(host, file)
  host.readFile = (file) => virtual.get(resolve(file)) ?? readFile.call(host, file)
  host.getSourceFile = (file, languageVersion, onError, shouldCreate) => {
    const text = virtual.get(resolve(file))
    if (text !== undefined) return ts.createSourceFile(file, text, languageVersion, true)
    return getSourceFile.call(host, file, languageVersion, onError, shouldCreate)
  }

  const entryFiles = Object.values(entries).map((file) => join(root, file))
  const program = ts.createProgram([preludePath, ...owner.keys(), ...entryFiles], options, host)
  const problems: SampleProblem[] = []
  const preludeErrors = diagnosticsOf(program, preludePath).map((d) => format(d, 'scripts/check-doc-samples.ts PRELUDE', 0))
  if (preludeErrors.length) throw new Error(`The doc-sample prelude does not compile:\n${preludeErrors.join('\n')}`)
  for (const [path, sample] of owner) {
    const prefixLines = prefixes.get(path)!
    const messages = diagnosticsOf(program, path)
      .filter((d) => d.file === undefined || d.start === undefined || d.file.getLineAndCharacterOfPosition(d.start).line >= prefixLines)
      .map((d) => format(d, sample.doc, sample.line - 1 - prefixLines))
    if (messages.length) problems.push({ sample, messages })
  }
  return { program, problems }
}

function diagnosticsOf(program: ts.Program, path: string): ts.Diagnostic[] {
  const file = program.getSourceFile(path)
  if (!file) throw new Error(`${path} is not in the program`)
  return [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)]
}

function format(diagnostic: ts.Diagnostic, doc: string, lineOffset: number): string {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')
  if (!diagnostic.file || diagnostic.start === undefined) return `${doc}: ${message}`
  const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start)
  return `${doc}:${line + 1 + lineOffset}:${character + 1}: ${message}`
}

/**
 * Runs one `run` sample: written under tmp/doc-samples (gitignored) and imported, so the
 * caller's loader (vitest, or tsx for the CLI) resolves `autosave-kit` to src/.
 */
export async function runSample(sample: DocSample, samples: readonly DocSample[] = allSamples()): Promise<void> {
  const dir = join(root, 'tmp', 'doc-samples')
  mkdirSync(dir, { recursive: true })
  const file = join(dir, basename(virtualPath(sample)))
  writeFileSync(file, programText(sample, samples).text)
  try {
    await import(/* @vite-ignore */ `${pathToFileURL(file).href}?t=${Date.now()}`)
  } finally {
    rmSync(file, { force: true })
  }
}

/** The report printed by the CLI and used as the tests' failure message. */
export function formatProblems(problems: readonly SampleProblem[]): string {
  return problems
    .map(({ sample, messages }) => `${sample.id} (\`\`\`${sample.lang}) does not compile:\n${messages.map((m) => `  ${m}`).join('\n')}`)
    .join('\n\n')
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const samples = allSamples()
  const problems = typecheckSamples(samples)
  const skipped = samples.filter((s) => s.mode === 'skip')
  console.log(
    `${samples.length} samples in ${docFiles().length} files: ${samples.length - skipped.length} typechecked, ${skipped.length} skipped (${skipped.map((s) => s.id).join(', ') || 'none'})`,
  )
  if (problems.length) console.log(`\n${formatProblems(problems)}\n`)
  let failedRuns = 0
  for (const sample of samples.filter((s) => s.mode === 'run')) {
    try {
      await runSample(sample, samples)
      console.log(`ran ${sample.id}`)
    } catch (error) {
      failedRuns++
      console.log(`${sample.id} threw when run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
    }
  }
  const failed = problems.length + failedRuns
  console.log(failed === 0 ? 'Every doc sample compiles.' : `${failed} sample(s) failed (${relative(root, fileURLToPath(import.meta.url))}).`)
  process.exitCode = failed === 0 ? 0 : 1
}

/**
 * `npm run check:docs` (and test/docs/docs.test.ts, in `npm test`): every public export of the package's entries
 * has a TSDoc comment, so the generated API reference (`npm run docs`) has no blank pages.
 *
 * The rule:
 * - Every export — function, class, constant, interface, type alias — needs a comment with a
 *   summary and an `@example`. A value's example calls it; a type's example shows where a
 *   user meets it (the option it is given to, the event that carries it).
 * - A re-export counts as documented when the declaration it points at is (a value exported
 *   from two entries is documented once).
 *
 * Usage: `node --import tsx scripts/check-tsdoc.ts` — prints every offender and exits 1.
 */
import { dirname, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')

/** The package's public entries, as `package.json#exports` names them. */
export const entries: Record<string, string> = {
  'autosave-kit': 'src/index.ts',
  'autosave-kit/react': 'src/react/index.ts',
  'autosave-kit/testing': 'src/testing/index.ts',
  'autosave-kit/server': 'src/server/index.ts',
  'autosave-kit/vue': 'src/vue/index.ts',
  'autosave-kit/svelte': 'src/svelte/index.ts',
  'autosave-kit/react-hook-form': 'src/react-hook-form/index.ts',
  'autosave-kit/devtools': 'src/devtools/index.ts',
}

export interface MissingDoc {
  /** The entry that exports it, e.g. `autosave-kit/server`. */
  entry: string
  name: string
  kind: 'value' | 'type'
  /** What is missing. */
  problem: 'no comment' | 'no @example'
  /** `src/file.ts:line` of the declaration. */
  at: string
}

/**
 * Every public export that breaks the rule above (empty when all are documented). Pass a
 * program that already contains the entries to save compiling them again.
 */
export function findMissingDocs(program: ts.Program = entriesProgram()): MissingDoc[] {
  const checker = program.getTypeChecker()
  const missing: MissingDoc[] = []

  for (const [entry, file] of Object.entries(entries)) {
    const source = program.getSourceFile(resolve(root, file))
    const moduleSymbol = source && checker.getSymbolAtLocation(source)
    if (!moduleSymbol) throw new Error(`${file} is not a module`)
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported
      const declarations = target.declarations ?? []
      const declaration = declarations[0]
      if (!declaration) continue
      const isValue = (target.flags & ts.SymbolFlags.Value) !== 0
      const docs = declarations.flatMap((d) => docComments(d))
      const at = `${relative(root, declaration.getSourceFile().fileName)}:${declaration.getSourceFile().getLineAndCharacterOfPosition(declaration.getStart()).line + 1}`
      const base = { entry, name: exported.name, kind: isValue ? 'value' : 'type', at } as const
      const summary = docs.some((doc) => commentText(doc.comment).trim() !== '')
      if (!summary) {
        missing.push({ ...base, problem: 'no comment' })
        continue
      }
      const hasExample = docs.some((doc) => doc.tags?.some((tag) => tag.tagName.text === 'example'))
      if (!hasExample) missing.push({ ...base, problem: 'no @example' })
    }
  }
  return missing
}

function entriesProgram(): ts.Program {
  const config = ts.getParsedCommandLineOfConfigFile(
    resolve(root, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'))
      },
    },
  )
  if (!config) throw new Error('tsconfig.json could not be read')
  const files = Object.values(entries).map((file) => resolve(root, file))
  return ts.createProgram(files, { ...config.options, noEmit: true })
}

/** The `/** … *\/` blocks attached to a declaration (a variable's sit on its statement). */
function docComments(declaration: ts.Declaration): ts.JSDoc[] {
  const holder = ts.isVariableDeclaration(declaration) ? declaration.parent.parent : declaration
  return ts.getJSDocCommentsAndTags(holder).filter((node): node is ts.JSDoc => ts.isJSDoc(node))
}

function commentText(comment: ts.JSDoc['comment']): string {
  if (comment === undefined) return ''
  if (typeof comment === 'string') return comment
  return comment.map((part) => part.text).join('')
}

/** The report printed by the CLI and used as the test's failure message. */
export function formatMissing(missing: readonly MissingDoc[]): string {
  if (missing.length === 0) return 'Every public export has its TSDoc comment.'
  const lines = missing.map((m) => `  ${m.entry} › ${m.name} (${m.kind}, ${m.at}): ${m.problem}`)
  return [`${missing.length} public export(s) lack documentation: each needs a TSDoc summary and an @example.`, ...lines].join('\n')
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const missing = findMissingDocs()
  console.log(formatMissing(missing))
  process.exitCode = missing.length === 0 ? 0 : 1
}

/**
 * `npm run size:breakdown` — where the bytes of the default path come from: min+gzip of
 * `import { createAutosave, fetchTransport, indexedDBStore }` and of smaller imports, of groups
 * of its parts bundled on their own, and each source file's share of the minified bundle.
 * The budgets themselves are checked by size-limit (`.size-limit.json`); this says what a
 * smaller budget would have to give up. Bundled from src/ with esbuild as size-limit does
 * (minified, so `process.env.NODE_ENV` is "production"), zod external.
 */
import { build } from 'esbuild'
import { gzipSync } from 'node:zlib'

const root = new URL('..', import.meta.url).pathname

const groups: Array<[string, string]> = [
  ['the default path: createAutosave + fetchTransport + indexedDBStore', "export { createAutosave, fetchTransport, indexedDBStore } from './src/index.ts'"],
  ['createAutosave + fetchTransport (its default store has no encryption)', "export { createAutosave, fetchTransport } from './src/index.ts'"],
  [
    'parts without the engine or offline/tabs/merge: fetch, serialize, patch, retry, schedule, status, clock, mitt',
    "export { fetchTransport } from './src/transports/fetch.ts'; export { serialize } from './src/serialize.ts'; export { withRetry } from './src/engine/retry.ts'; export { diffDocuments } from './src/patch.ts'; export { createSchedule } from './src/engine/schedule.ts'; export { createStatusStore } from './src/engine/status.ts'; export * from './src/environment/clock.ts'; export { default as mitt } from 'mitt'",
  ],
  ['fetchTransport alone', "export { fetchTransport } from './src/transports/fetch.ts'"],
  ['indexedDBStore (with the localStorage fallback and the encryption option)', "export { indexedDBStore } from './src/stores/indexeddb.ts'"],
  ['encryptedStore alone', "export { encryptedStore } from './src/stores/encryption.ts'"],
  ['three-way merge and conflict strategies', "export { resolveConflict } from './src/merge.ts'"],
]

async function bundle(contents: string) {
  const result = await build({
    stdin: { contents, resolveDir: root, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    metafile: true,
    external: ['zod', 'zod/mini'], // a peer dependency: size-limit ignores it too
    logLevel: 'silent',
  })
  const bytes = result.outputFiles[0]!.contents
  return { min: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length, metafile: result.metafile }
}

const kb = (n: number) => `${(n / 1024).toFixed(2)} KB`
const rows: string[][] = []
let full: Awaited<ReturnType<typeof bundle>> | undefined
for (const [name, contents] of groups) {
  const size = await bundle(contents)
  full ??= size
  rows.push([name, kb(size.min), kb(size.gzip), `${((size.gzip / full.gzip) * 100).toFixed(0)} %`])
}

console.log('| bundle (zod excluded) | min | min+gzip | of the default path |')
console.log('| --- | ---: | ---: | ---: |')
for (const row of rows) console.log(`| ${row.join(' | ')} |`)

const inputs = Object.values(full!.metafile.outputs)[0]!.inputs
const total = Object.values(inputs).reduce((sum, { bytesInOutput }) => sum + bytesInOutput, 0)
const shares = Object.entries(inputs)
  .map(([file, { bytesInOutput }]) => [file.replace(/^.*node_modules\//, ''), bytesInOutput] as const)
  .filter(([, bytes]) => bytes > 0)
  .sort((a, b) => b[1] - a[1])
console.log('\n| source file | minified bytes in the default path | share |')
console.log('| --- | ---: | ---: |')
for (const [file, bytes] of shares) console.log(`| ${file} | ${bytes} | ${((bytes / total) * 100).toFixed(1)} % |`)

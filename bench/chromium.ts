/**
 * autosave-kit against zustand `persist` in headless Chromium: real IndexedDB under
 * autosave-kit (its default `indexedDBStore`), real localStorage under zustand, in the same
 * browser and the same run, on the 500-message wizard state and the two scripts of
 * `bench:peers` (1,000 keystrokes at 10/s; 100 chat messages, one every 5 s).
 * Run: `npm run bench:chromium` (`-- --runs 5`). Needs Debian's chromium (/usr/bin/chromium,
 * or CHROMIUM_PATH); downloads nothing.
 *
 * Main-thread CPU per edit: the renderer main thread's busy time (DevTools protocol
 * `Performance.getMetrics` TaskDuration: every task, IndexedDB callbacks and garbage
 * collection included) over the script, minus the same for a contender that does nothing
 * per edit (the harness's own loop), divided by the edits. autosave-kit's timers run on a
 * virtual clock (its `environment.clock` seam) so the script takes seconds, not minutes.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import type { Browser } from 'playwright-core'
import { launchChromium } from '../test/e2e/browser'
import { printTable } from './core'

const CONTENDERS = ['harness', 'autosave-kit', 'zustand persist'] as const
type Name = (typeof CONTENDERS)[number]
const BASELINE: Name = 'zustand persist'
const SCRIPTS = { keystrokes: '1,000 keystrokes at 10/s into data.musicDescription', chat: '100 chat messages appended, one every 5 s' } as const

/** What bench/chromium/page.ts puts on the page's globalThis (types only: evaluate() sends the functions as text). */
interface PageGlobals {
  bench: {
    prepare(name: Name, script: string, messages: number, runId: string): Promise<number>
    run(): Promise<{ callMs: number }>
    finish(): Promise<{ writes: number; bytes: number; requests: number }>
  }
}

interface Sample {
  taskMs: number
  callMs: number
  writes: number
  bytes: number
  requests: number
  edits: number
}

async function bundle(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./chromium/page.ts', import.meta.url))],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    minify: true,
    write: false,
    define: { 'process.env.NODE_ENV': '"production"' },
  })
  return result.outputFiles[0]!.text
}

async function serve(script: string) {
  const server = createServer((request, response) => {
    if (request.url === '/bench.js') return response.writeHead(200, { 'Content-Type': 'text/javascript' }).end(script)
    response.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>bench</title><script src="/bench.js"></script>')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` }
}

let runIds = 0

async function sample(browser: Browser, url: string, name: Name, script: keyof typeof SCRIPTS, messages: number): Promise<Sample> {
  const page = await browser.newPage()
  try {
    await page.goto(url)
    const cdp = await page.context().newCDPSession(page)
    await cdp.send('Performance.enable')
    const taskSeconds = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')!.value
    const runId = `run-${process.pid}-${++runIds}`
    const edits = await page.evaluate(([n, s, m, id]) => (globalThis as unknown as PageGlobals).bench.prepare(n, s, m, id), [
      name,
      script,
      messages,
      runId,
    ] as const)
    const before = await taskSeconds()
    const { callMs } = await page.evaluate(() => (globalThis as unknown as PageGlobals).bench.run())
    const after = await taskSeconds()
    const counts = await page.evaluate(() => (globalThis as unknown as PageGlobals).bench.finish())
    return { taskMs: (after - before) * 1000, callMs, edits, ...counts }
  } finally {
    await page.close()
  }
}

const fmtUs = (ms: number) => (ms >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(0)} µs`)
const fmtBytes = (b: number) => (b >= 1e6 ? `${(b / 1e6).toFixed(2)} MB` : b >= 1e3 ? `${(b / 1e3).toFixed(1)} kB` : `${Math.round(b)} B`)
const ratio = (value: number, base: number) => {
  if (base === 0) return '—'
  const r = value / base
  return `${r >= 10 ? r.toFixed(0) : r >= 0.1 ? r.toFixed(2) : r.toPrecision(2)}×`
}

async function main() {
  const runsArg = process.argv.indexOf('--runs')
  const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3
  const messagesArg = process.argv.indexOf('--messages')
  const messages = messagesArg > 0 ? Number(process.argv[messagesArg + 1]) : 500
  const { server, url } = await serve(await bundle())
  // The e2e suite's launch: Debian's Chromium (CHROMIUM_PATH overrides), the same flags.
  const browser = await launchChromium()
  try {
    console.log(
      `autosave-kit vs zustand persist in Chromium ${browser.version()} — ${messages}-message state; ${runs} timed runs per contender after one warm-up, interleaved; the best run is kept`,
    )
    for (const script of Object.keys(SCRIPTS) as Array<keyof typeof SCRIPTS>) {
      const samples = new Map<Name, Sample[]>(CONTENDERS.map((name) => [name, []]))
      for (const name of CONTENDERS) await sample(browser, url, name, script, messages) // warm-up
      for (let r = 0; r < runs; r++) for (const name of CONTENDERS) samples.get(name)!.push(await sample(browser, url, name, script, messages))
      const best = (name: Name) => samples.get(name)!.reduce((a, b) => (b.taskMs < a.taskMs ? b : a))
      const harness = best('harness')
      const rows = CONTENDERS.filter((name) => name !== 'harness').map((name) => {
        const s = best(name)
        return { name, s, cpu: Math.max(0, s.taskMs - harness.taskMs) / s.edits }
      })
      const base = rows.find((row) => row.name === BASELINE)!
      printTable(
        `${SCRIPTS[script]} — Chromium, real IndexedDB / localStorage (baseline: ${BASELINE}, same browser, same run)`,
        ['contender', 'local writes', 'local bytes / edit', 'main-thread CPU / edit', 'of which the app call', 'requests'],
        rows.map(({ name, s, cpu }) => [
          name,
          `${s.writes} (${ratio(s.writes, base.s.writes)})`,
          `${fmtBytes(s.bytes / s.edits)} (${ratio(s.bytes, base.s.bytes)})`,
          `${fmtUs(cpu)} (${ratio(cpu, base.cpu)})`,
          fmtUs(s.callMs / s.edits),
          name === 'autosave-kit' ? String(s.requests) : '—',
        ]),
      )
      console.log(`harness alone: ${fmtUs(harness.taskMs / harness.edits)} per edit of main-thread time (subtracted above)`)
    }
  } finally {
    await browser.close()
    server.close()
  }
}

await main()

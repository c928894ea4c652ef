import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))
const entries = ['index', 'react', 'testing', 'server', 'vue', 'svelte', 'react-hook-form', 'devtools']
// CI builds before testing, so there the published files are what gets imported.
const built = existsSync(`${root}/dist/index.js`)

/** A fresh Node process with no window, document, indexedDB or localStorage. */
function importIn(code: string, args: string[] = []) {
  return execFileSync(process.execPath, [...args, '--input-type=module', '-e', code], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  })
}

describe('importing in plain Node (SSR) does not throw', () => {
  it('every built entry, ESM and CJS (CI builds first; locally after `npm run build`)', () => {
    if (process.env.CI) expect(built, 'CI must build before testing').toBe(true)
    if (!built) return
    // One process for all entries: eight Node start-ups took over 30 s on a loaded machine.
    const out = importIn(
      `const require = (await import('node:module')).createRequire(import.meta.url);
       for (const entry of ${JSON.stringify(entries)}) {
         const m = await import('${root}/dist/' + entry + '.js');
         const c = require('${root}/dist/' + entry + '.cjs');
         if (typeof window !== 'undefined' || typeof indexedDB !== 'undefined') throw new Error('test setup leaked a browser global');
         console.log(entry + ' ' + (Object.keys(m).length === Object.keys(c).length ? 'ok' : 'mismatch'));
       }`,
    )
    expect(out.trim().split('\n'), 'dist/<entry>: ESM and CJS export the same names').toEqual(entries.map((entry) => `${entry} ok`))
  }, 60_000)

  it('every source entry, and an engine can be created and used there', () => {
    const out = importIn(
      `for (const e of ['index', 'react/index', 'testing/index', 'server/index', 'vue/index', 'svelte/index', 'react-hook-form/index', 'devtools/index']) await import('${root}/src/' + e + '.ts');
       const { createAutosave, memoryTransport } = await import('${root}/src/index.ts');
       const saver = createAutosave({ key: 'ssr', transport: memoryTransport(), debounceMs: 0 });
       saver.save({ a: 1 }); await saver.flush(); await saver.dispose();
       console.log(saver.getStatus().phase)`,
      ['--import', 'tsx'],
    )
    expect(out.trim()).toBe('saved')
    // A fresh Node process compiling eight entries with tsx: seconds on a loaded machine.
  }, 30_000)
})

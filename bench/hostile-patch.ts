/**
 * What a hostile PATCH costs the server (issue 15): the time until the handler answers, beside
 * an ordinary one-field PATCH and a PUT of the same ~400 KB document measured in the same run.
 * Run: `node --import tsx bench/hostile-patch.ts`. Memory store, in-process `Request`s, default
 * limits (1 MiB). Before the work was bounded, the doubling patch blocked the process 9–24 s
 * (or ended it) and the 2,000-operation churn 12–18 s.
 */
import { createAutosaveHandler, memoryDocumentStore } from '../src/server/index'

const basePath = '/api/storage/projects'
const document = { big: Array.from({ length: 4000 }, (_, i) => ({ id: `item-${i}`, text: 'x'.repeat(80) })), arr: [1], step: 0 }
const doublings = Array.from({ length: 22 }, () => ({ op: 'copy', from: '', path: '/arr/-' }))
const churn = Array.from({ length: 1000 }, () => [
  { op: 'copy', from: '/big', path: '/tmp' },
  { op: 'remove', path: '/tmp' },
]).flat()

async function measure(name: string, body: (version: number) => { method: string; body: unknown }, runs = 20) {
  const store = memoryDocumentStore()
  const handler = createAutosaveHandler({ store, basePath })
  store.set('doc', document)
  const times: number[] = []
  let status = 0
  for (let i = 0; i < runs; i++) {
    const version = store.peek('doc')!.version
    const { method, body: payload } = body(version)
    const request = new Request(`http://bench${basePath}/doc`, {
      method,
      body: JSON.stringify(payload),
      headers: { 'Content-Type': 'application/json', 'If-Match': `"${version}"` },
    })
    const start = performance.now()
    status = (await handler(request)).status
    times.push(performance.now() - start)
  }
  times.sort((a, b) => a - b)
  return { name, status, median: times[Math.floor(times.length / 2)]!, max: times.at(-1)! }
}

const rows = [
  await measure('PUT of the ~400 KB document (baseline)', () => ({ method: 'PUT', body: { data: document } })),
  await measure('PATCH replacing one field', (v) => ({ method: 'PATCH', body: [{ op: 'replace', path: '/step', value: v }] })),
  await measure('PATCH: 22 copies of the root', () => ({ method: 'PATCH', body: doublings })),
  await measure('PATCH: 2,000 copy/remove of a 400 KB subtree', () => ({ method: 'PATCH', body: churn })),
]
const baseline = rows[0]!.median
console.log(`document: ${(JSON.stringify(document).length / 1024).toFixed(0)} KB, 20 runs each\n`)
console.log('| request | answer | median ms | max ms | × PUT |')
console.log('| --- | ---: | ---: | ---: | ---: |')
for (const row of rows)
  console.log(`| ${row.name} | ${row.status} | ${row.median.toFixed(1)} | ${row.max.toFixed(1)} | ${(row.median / baseline).toFixed(2)} |`)

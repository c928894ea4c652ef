import type ts from 'typescript'
import { beforeAll, describe, expect, it } from 'vitest'
import { allSamples, checkSamples, extractSamples, formatProblems, runSample, typecheckSamples, type SampleProblem } from '../../scripts/check-doc-samples'
import { findMissingDocs, formatMissing } from '../../scripts/check-tsdoc'

// One TypeScript program holds every sample and the package's four entries: compiling src/
// takes a few seconds, so both checks share it.
const samples = allSamples()
let program: ts.Program
let problems: SampleProblem[]
beforeAll(() => {
  ;({ program, problems } = checkSamples(samples))
}, 120_000)

describe('code samples in README.md and docs/*.md', () => {
  it('every ```ts and ```tsx sample compiles against the real package', () => {
    expect(
      problems.map((p) => p.sample.id),
      formatProblems(problems),
    ).toEqual([])
  })

  it('skips are rare: most samples are checked', () => {
    const skipped = samples.filter((s) => s.mode === 'skip')
    expect(skipped.length, `skipped: ${skipped.map((s) => s.id).join(', ')}`).toBeLessThanOrEqual(Math.ceil(samples.length / 10))
  })

  const runnable = samples.filter((s) => s.mode === 'run')
  it.each(runnable.map((s) => [s.id, s] as const))('%s runs without throwing', { timeout: 30_000 }, async (_id, sample) => {
    await runSample(sample, samples)
  })
})

describe('API reference coverage', () => {
  it('every public export of the four entries has a TSDoc comment (values with an @example)', () => {
    const missing = findMissingDocs(program)
    expect(missing, formatMissing(missing)).toEqual([])
  })
})

describe('the sample checker', () => {
  const doc = [
    '# A guide',
    '',
    '```ts',
    "import { createAutosave, memoryTransport } from 'autosave-kit'",
    "const saver = createAutosave({ key: 'a', transport: memoryTransport(), debounce: 10 })",
    '```',
    '',
    '<!-- sample: skip -->',
    '```ts',
    'this is not TypeScript',
    '```',
    '',
    '<!-- sample: continues -->',
    '```ts',
    'saver.flushAll()',
    '```',
    '',
    '```sh',
    'npm test',
    '```',
  ].join('\n')

  it('reports an option the API does not have, at its line in the Markdown', { timeout: 60_000 }, () => {
    const found = extractSamples('docs/guide.md', doc)
    expect(found.map((s) => [s.line, s.mode, s.continues])).toEqual([
      [4, 'check', false],
      [10, 'skip', false],
      [15, 'check', true],
    ])
    const problems = typecheckSamples(found)
    expect(problems.map((p) => p.sample.id)).toEqual(['docs/guide.md:4', 'docs/guide.md:15'])
    expect(problems[0]!.messages.join('\n')).toMatch(/^docs\/guide\.md:5:\d+: .*'debounce'/m)
    // A continued sample sees the earlier one's names, and its own errors are at its own lines.
    expect(problems[1]!.messages).toHaveLength(1)
    expect(problems[1]!.messages[0]).toMatch(/^docs\/guide\.md:15:\d+: .*'flushAll'/)
  })
})

/**
 * docs/testing.md's recipe as one Vitest file, verbatim: its TypeScript blocks, the first and
 * every one marked `<!-- sample: continues -->`, in order. `npm run docs:testing-md` writes it
 * to test/docs/testing-md.test.ts; test/docs/testing-md-sync.test.ts fails when the two differ.
 */
import { readFileSync, writeFileSync } from 'node:fs'

export const TESTING_MD_TEST = 'test/docs/testing-md.test.ts'

export function testingMdAsTest(markdown = readFileSync('docs/testing.md', 'utf8')): string {
  const blocks: string[] = []
  const pattern = /(<!-- sample: continues -->\n)?```ts\n([\s\S]*?)```/g
  for (const match of markdown.matchAll(pattern)) {
    if (blocks.length === 0 || match[1]) blocks.push(match[2]!)
  }
  return `// Generated from docs/testing.md by \`npm run docs:testing-md\`: its recipe, verbatim. Do not edit.\n${blocks.join('\n')}`
}

if (process.argv[1]?.endsWith('testing-md.ts')) writeFileSync(TESTING_MD_TEST, testingMdAsTest())

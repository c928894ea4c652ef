import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { TESTING_MD_TEST, testingMdAsTest } from '../../scripts/testing-md'

it("docs/testing.md's recipe runs verbatim as test/docs/testing-md.test.ts", () => {
  expect(readFileSync(TESTING_MD_TEST, 'utf8'), 'run `npm run docs:testing-md` after editing docs/testing.md').toBe(testingMdAsTest())
})

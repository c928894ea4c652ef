import type { BrowserContext } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import { expectAccessible, setupE2E, uniqueProjectId, WizardPage } from './harness'

const e2e = setupE2E()

/**
 * Two pages answer the same step at once: the wizard keeps one answer for the step (the
 * `conflict` function of the example, one-answer-per-step.ts), both pages end up showing it,
 * and the page whose answer was dropped says so.
 */
async function answerAtOnce(contexts: [BrowserContext, BrowserContext], name: string) {
  const projectId = uniqueProjectId(name)
  const a = await WizardPage.open(contexts[0], projectId)
  await a.skip()
  await a.expectSaved()
  const b = await WizardPage.open(contexts[1], projectId)
  await b.expectStep('track_ai_description')
  const before = (await a.visible()).chat.length

  await Promise.all([a.answer('Answer from A: brass band'), b.answer('Answer from B: string quartet')])
  await a.expectSaved(30_000)
  await b.expectSaved(30_000)

  const stored = (await e2e.serverDocument(projectId))!.data
  const users = stored.chat.slice(before).filter((m) => m.role === 'user')
  expect(users, 'one answer for the step').toHaveLength(1)
  expect(stored.chat.slice(before).map((m) => m.role)).toEqual(['user', 'assistant'])
  expect(stored.currentStep).toBe('track_ai_lyrics')
  expect(stored.data.musicDescription).toBe(users[0]!.content)
  await expect.poll(async () => (await a.visible()).chat.length, { timeout: 15_000 }).toBe(stored.chat.length)
  await expect.poll(async () => (await b.visible()).chat.length, { timeout: 15_000 }).toBe(stored.chat.length)
  expect(await a.visible()).toEqual(await b.visible())
  // The page whose answer lost says which answer was kept.
  const loser = users[0]!.content.includes('from A') ? b : a
  const notice = loser.page.locator('[data-testid=answer-replaced]')
  await expect.poll(() => notice.textContent(), { timeout: 10_000 }).toContain(users[0]!.content)
  await expectAccessible(loser.page, 'the answer-replaced notice')
}

describe('two pages answering one step at the same time', () => {
  test('two tabs of one browser keep one answer and say so', async () => {
    const context = await e2e.newContext()
    await answerAtOnce([context, context], 'conflict-tabs')
  })

  test('two devices (browser profiles) keep one answer and say so', async () => {
    await answerAtOnce([await e2e.newContext(), await e2e.newContext()], 'conflict-devices')
  })
})

import { describe, expect, test } from 'vitest'
import { expectAccessible, screenshot, setupE2E, uniqueProjectId, WizardPage } from './harness'

const e2e = setupE2E()

/** What the server holds in the chat box of `step`. */
async function storedDraft(projectId: string, step: string): Promise<string | undefined> {
  return (await e2e.serverDocument(projectId))?.data.drafts?.[step as 'track_ai_lyrics']
}

/**
 * Both pages type in the chat box of the same step before either is saved: the copy saved first
 * is kept (one-answer-per-step.ts); the other page is told, with its text, and restores it.
 * Returns which page lost.
 */
async function sameFieldRace(projectId: string, a: WizardPage, b: WizardPage, from: 'device' | 'tab'): Promise<'first' | 'second'> {
  const step = 'track_ai_lyrics'
  await a.expectStep(step)
  await b.expectStep(step)
  const texts = { a: 'Lyrics from A: rain on the window', b: 'Lyrics from B: sun on the sea' }
  await Promise.all([a.page.fill('[data-testid=chat-input]', texts.a), b.page.fill('[data-testid=chat-input]', texts.b)])
  await Promise.all([a.expectSaved(30_000), b.expectSaved(30_000)])
  // The first saved is kept (one-answer-per-step.ts); the other page is the loser, and is told.
  const kept = await storedDraft(projectId, step)
  expect([texts.a, texts.b], 'one of the two texts is on the server').toContain(kept)
  const [winner, loser, mine] = kept === texts.a ? [a, b, texts.b] : [b, a, texts.a]
  const notice = loser.page.locator('[data-testid=lost-edit]')
  await expect.poll(() => notice.textContent(), { timeout: 10_000, message: 'the loser is told what it lost' }).toContain(mine)
  expect(await notice.textContent()).toMatch(
    new RegExp(`^Your edit to the message you were typing \\(“.*”\\) was replaced by a newer one from another ${from} — restore it\\?`),
  )
  expect(await loser.chatInput(), "the loser's box shows the kept text").toBe(kept)
  expect(await winner.page.locator('[data-testid=lost-edit]').count(), 'the winner lost nothing').toBe(0)
  await expectAccessible(loser.page, 'the edit-replaced notice')
  if (from === 'device') await screenshot(loser.page, 'edit-replaced.png', { selector: '[data-testid=edit-replaced]', padding: 10 })

  // Restore: the loser's text is back, saved, and reaches the winner when it looks again.
  await loser.page.click('[data-testid=restore-edit]')
  expect(await loser.chatInput()).toBe(mine)
  await expect.poll(() => loser.page.locator('[data-testid=edit-replaced]').count()).toBe(0)
  await loser.expectSaved()
  expect(await storedDraft(projectId, step)).toBe(mine)
  await winner.focus()
  await expect.poll(() => winner.chatInput(), { timeout: 5_000, message: `the restored text reaches the other ${from}` }).toBe(mine)
  expect(await winner.visible()).toEqual(await loser.visible())
  return loser === a ? 'first' : 'second'
}

describe('two devices, or two tabs, on one project', () => {
  test("a device coming back into view shows the other's save; the loser of a same-field edit is told and can restore it", async () => {
    // Two browser profiles: no shared IndexedDB or BroadcastChannel, only the server.
    const projectId = uniqueProjectId('devices')
    const a = await WizardPage.open(await e2e.newContext(), projectId)
    await a.skip()
    await a.expectSaved()
    const contextB = await e2e.newContext()
    // No push for B here (the server's announcements are the next test): only focus refreshes it.
    await contextB.route('**/events', (route) => route.abort())
    const b = await WizardPage.open(contextB, projectId)
    await b.expectStep('track_ai_description')

    // A answers while B sits in the background; B comes back to the front.
    await a.answer('Brass band, slow and warm')
    await a.expectSaved()
    expect((await b.visible()).data.musicDescription, 'B still shows what it loaded').not.toBe('Brass band, slow and warm')
    const focusedAt = Date.now()
    await b.focus()
    await expect
      .poll(async () => (await b.visible()).data.musicDescription, { timeout: 5_000, message: "B shows A's answer within seconds of focus" })
      .toBe('Brass band, slow and warm')
    const shownAfterMs = Date.now() - focusedAt
    expect(await b.visible()).toEqual(await a.visible())
    await expect.poll(() => b.page.locator('[data-testid=remote-update]').textContent(), { timeout: 5_000 }).toContain('on another device')
    await b.expectStatus('saved', 'Saved')

    const lost = await sameFieldRace(projectId, a, b, 'device')
    console.info(`devices: B showed A's answer ${shownAfterMs} ms after focus; the ${lost} page lost the same-field race and restored its text`)
  })

  test('two tabs of one browser: the same, told as "another tab" (the tab that meets the other\'s save uses the conflict strategy too)', async () => {
    const context = await e2e.newContext()
    const projectId = uniqueProjectId('tabs-same-field')
    const a = await WizardPage.open(context, projectId)
    await a.skip()
    await a.answer('Brass band, slow and warm')
    await a.expectSaved()
    const b = await WizardPage.open(context, projectId)
    await b.expectStep('track_ai_lyrics')
    const lost = await sameFieldRace(projectId, a, b, 'tab')
    console.info(`tabs: the ${lost} tab lost the same-field race and restored its text`)
  })

  test("with the server's announcements (Server-Sent Events), the other device's save shows without focus", async () => {
    const projectId = uniqueProjectId('push')
    const a = await WizardPage.open(await e2e.newContext(), projectId)
    await a.skip()
    await a.expectSaved()
    const b = await WizardPage.open(await e2e.newContext(), projectId)
    await b.expectStep('track_ai_description')
    const answeredAt = Date.now()
    await a.answer('Brass band, slow and warm')
    await a.expectSaved()
    await expect
      .poll(async () => (await b.visible()).data.musicDescription, { timeout: 5_000, message: "B shows A's answer with no focus" })
      .toBe('Brass band, slow and warm')
    const shownAfterMs = Date.now() - answeredAt
    expect(await b.visible()).toEqual(await a.visible())
    await b.expectStatus('saved', 'Saved')
    console.info(`push: B showed A's answer ${shownAfterMs} ms after A answered (A debounces 1.5 s)`)
  })
})

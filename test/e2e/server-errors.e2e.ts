import { describe, expect, test } from 'vitest'
import { expectAccessible, screenshot, setupE2E, uniqueProjectId, WizardPage } from './harness'

const e2e = setupE2E()

describe('a failing server', () => {
  test('while the server answers 500 the indicator shows retrying, then Saved once it recovers', async () => {
    const context = await e2e.newContext()
    const projectId = uniqueProjectId('errors')
    const wizard = await WizardPage.open(context, projectId)
    await wizard.expectUnsaved()
    const writesBefore = (await e2e.writes()).length

    await e2e.failNextWrites(2, 500)
    await wizard.skip()
    await wizard.expectStatus('retrying', /^Couldn't save — retrying/)
    await screenshot(wizard.page, 'status-retrying.png', { selector: '[data-testid=save-status]', padding: 10 })
    await wizard.expectSaved(30_000)

    const writes = (await e2e.writes()).slice(writesBefore).filter((write) => write.key === projectId)
    expect(writes.map((write) => write.failed)).toEqual([true, true, false])
    const stored = (await e2e.serverDocument(projectId))!
    expect(stored.data.currentStep).toBe('track_ai_description')
    expect(stored.data.chat.map((m) => m.id)).toEqual((await wizard.visible()).chat.map((m) => m.id))
  })

  test('the server down for over two minutes: once it is back the save lands with no user action', async () => {
    const context = await e2e.newContext()
    // Playwright's fake clock for the whole context, before the app loads: time flows as usual
    // until fastForward() jumps it, so minutes of backoff pass in seconds of test.
    await context.clock.install()
    const projectId = uniqueProjectId('outage')
    const wizard = await WizardPage.open(context, projectId)
    await wizard.skip()
    await wizard.expectSaved()
    const pageNow = () => wizard.page.evaluate(() => Date.now())
    const ours = async () => (await e2e.writes()).filter((write) => write.key === projectId)
    const before = (await ours()).length

    await e2e.failNextWrites(1000, 500)
    await wizard.answer('Written during the outage')
    await wizard.expectStatus('retrying', /^Couldn't save — retrying in/)
    const downAt = await pageNow()
    // Jump to each scheduled attempt ("retrying in N s") and let it come back before the next
    // jump, as the minutes would pass: the retry budget (10 retries, 1 s doubling to 15 s) is
    // spent after about 100 s, then the slow cadence (every 60–75 s) takes over.
    const untilNextAttempt = async () => {
      let seconds = 0
      await expect
        .poll(async () => (seconds = Number(/retrying in (\d+) s/.exec((await wizard.status()).text ?? '')?.[1] ?? 0)), {
          message: 'the indicator names when it tries again',
        })
        .toBeGreaterThan(0)
      return seconds
    }
    const nextAttempt = async () => {
      const seen = (await ours()).length
      const answered = wizard.page.waitForResponse(
        (response) => response.url().includes(encodeURIComponent(projectId)) && response.request().method() !== 'GET',
        { timeout: 10_000 },
      )
      await context.clock.fastForward((await untilNextAttempt()) * 1000 + 1000)
      await answered
      expect((await ours()).length, 'an attempt when its time came').toBeGreaterThan(seen)
    }
    const delays: number[] = []
    while ((await pageNow()) - downAt < 200_000) {
      delays.push(await untilNextAttempt())
      await nextAttempt()
      await wizard.expectStatus('retrying', /^Couldn't save — retrying in/)
    }
    const failed = (await ours()).slice(before)
    expect(
      failed.every((write) => write.failed),
      'every write during the outage met the 500',
    ).toBe(true)
    expect(failed.length, 'the budget of 10 retries was spent, and the engine went on trying').toBeGreaterThanOrEqual(12)
    // 10 retries, then one attempt a minute (60–75 s with jitter), never a new burst.
    expect(delays.slice(10).length).toBeGreaterThan(0)
    for (const wait of delays.slice(10)) expect(wait, `the slow cadence after the budget (waits: ${delays.join(', ')} s)`).toBeGreaterThanOrEqual(55)
    expect((await wizard.status()).text, 'still says it is trying, not that it gave up').toMatch(/^Couldn't save — retrying in \d+ s$/)
    expect((await e2e.serverDocument(projectId))!.data.currentStep).toBe('track_ai_description')

    // The server is back. Nobody touches the page: the next slow attempt (at most 75 s) lands.
    await e2e.clearFaults()
    const backAt = await pageNow()
    await nextAttempt()
    await wizard.expectSaved()
    const stored = (await e2e.serverDocument(projectId))!.data
    expect(stored.currentStep).toBe('track_ai_lyrics')
    expect(stored.data.musicDescription).toBe('Written during the outage')
    const attempts = (await ours()).slice(before)
    expect(attempts.at(-1), 'the last write is the one that landed').toMatchObject({ failed: false })
    expect(
      attempts.filter((write) => !write.failed),
      'sent once when the server came back',
    ).toHaveLength(1)
    console.info(
      `outage: ${failed.length} failed attempts over ${Math.round((backAt - downAt) / 1000)} s of page time (waits ${delays.join(', ')} s); saved ${Math.round(((await pageNow()) - backAt) / 1000)} s after the server came back`,
    )
    await expectAccessible(wizard.page, 'the saved indicator after an outage')
  })
})

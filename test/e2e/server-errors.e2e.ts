import { describe, expect, test } from 'vitest'
import { screenshot, setupE2E, uniqueProjectId, WizardPage } from './harness'

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
})

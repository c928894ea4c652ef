import { describe, expect, test } from 'vitest'
import { expectAccessible, setupE2E, uniqueProjectId, WizardPage } from './harness'

const e2e = setupE2E()

describe('text typed in the chat box and not sent', () => {
  test('is saved with the project, per step, and comes back after a reload', async () => {
    const context = await e2e.newContext()
    const projectId = uniqueProjectId('draft')
    const wizard = await WizardPage.open(context, projectId)
    await wizard.skip()
    await wizard.page.fill('[data-testid=chat-input]', 'Half a thought about a slow')
    await wizard.expectSaved()
    expect((await e2e.serverDocument(projectId))!.data.drafts).toEqual({ track_ai_description: 'Half a thought about a slow' })

    await wizard.reload()
    expect(await wizard.page.inputValue('[data-testid=chat-input]')).toBe('Half a thought about a slow')

    // Sending it spends the draft; the next step starts with an empty box.
    await wizard.page.click('[data-testid=send]')
    await wizard.expectStep('track_ai_lyrics')
    expect(await wizard.page.inputValue('[data-testid=chat-input]')).toBe('')
    await wizard.expectSaved()
    expect((await e2e.serverDocument(projectId))!.data.drafts).toBeUndefined()
  })

  test('typing is the first edit of a new project: it creates the project', async () => {
    const context = await e2e.newContext()
    const projectId = uniqueProjectId('draft-new')
    const wizard = await WizardPage.open(context, projectId)
    await wizard.expectUnsaved()
    await wizard.page.fill('[data-testid=chat-input]', 'Something with strings')
    await wizard.expectSaved()
    expect((await e2e.serverDocument(projectId))!.data.drafts).toEqual({ track_input: 'Something with strings' })
  })

  test('is not dropped without a word when another tab answers the step first', async () => {
    const context = await e2e.newContext()
    const projectId = uniqueProjectId('draft-tabs')
    const a = await WizardPage.open(context, projectId)
    await a.skip()
    await a.expectSaved()
    const b = await WizardPage.open(context, projectId)
    await b.expectStep('track_ai_description')

    // B types (unsent) while A answers the same step.
    await b.page.locator('[data-testid=chat-input]').pressSequentially('B was about to say: cellos', { delay: 10 })
    await a.answer('A answered: synth pop')
    await a.expectSaved()
    await b.expectStep('track_ai_lyrics')
    // B is told, and can use the text on the step now on screen.
    const stranded = b.page.locator('[data-testid=stranded-draft]')
    await expect.poll(() => stranded.textContent()).toContain('B was about to say: cellos')
    await expectAccessible(b.page, 'the unsent-text notice')
    await stranded.getByRole('button', { name: 'Use it here' }).click()
    expect(await b.page.inputValue('[data-testid=chat-input]')).toBe('B was about to say: cellos')
    await expect.poll(() => stranded.count()).toBe(0)
  })
})

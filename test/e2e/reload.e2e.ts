import { describe, expect, test } from 'vitest'
import { pngImage, setupE2E, uniqueProjectId, WizardPage } from './harness'

const e2e = setupE2E()

describe('coming back to a project', () => {
  test('after a reload mid-workflow, the step, the form data and the chat come back exactly', async () => {
    const context = await e2e.newContext()
    const projectId = uniqueProjectId('reload')
    const wizard = await WizardPage.open(context, projectId)
    await wizard.skip()
    await wizard.answer('Dreamy lo-fi with soft piano')
    await wizard.click('instrumental')
    await wizard.expectStep('track_generating')
    await wizard.page.locator('[data-testid=accept-track]:not([disabled])').waitFor()
    await wizard.click('accept-track')
    await wizard.answer('Rain on a window, a cat watching the city')
    await wizard.uploadImages([{ name: 'window.png', buffer: pngImage(64, 64, [40, 60, 90], [200, 220, 255]) }])
    await expect.poll(() => wizard.page.locator('[data-testid=reference-image]').count()).toBe(1)
    await wizard.click('continue')
    await wizard.expectStep('reference_image_description')
    await wizard.page.locator('[data-testid=image-description]').fill('The blue light')
    await wizard.expectSaved()
    const before = await wizard.visible()
    const saved = await e2e.serverDocument(projectId)

    await wizard.reload()

    expect(await wizard.visible()).toEqual(before)
    expect(before.step).toBe('reference_image_description')
    expect(before.data).toMatchObject({
      musicDescription: 'Dreamy lo-fi with soft piano',
      isInstrumental: 'Instrumental',
      videoDescription: 'Rain on a window, a cat watching the city',
    })
    expect(before.images).toEqual([{ id: expect.any(String), text: 'The blue light' }])
    // Nothing to send after a clean restore: the server copy is untouched.
    await wizard.expectSaved()
    expect(await e2e.serverDocument(projectId)).toEqual(saved)
  })

  test('closing the tab within the debounce window loses nothing', async () => {
    const context = await e2e.newContext()
    const projectId = uniqueProjectId('close')
    const first = await WizardPage.open(context, projectId)
    await first.skip()
    await first.expectSaved()
    const versionBefore = (await e2e.serverDocument(projectId))!.version

    // Answer, then close at once: long before the 1.5 s debounce would have sent it.
    await first.answer('Closed before the save: big band swing')
    const expected = await first.visible()
    expect((await first.status()).phase).toBe('pending')
    await first.page.close()

    const reopened = await WizardPage.open(context, projectId)
    expect(await reopened.visible()).toEqual(expected)
    await reopened.expectSaved()
    const stored = (await e2e.serverDocument(projectId))!
    expect(stored.version).toBeGreaterThan(versionBefore)
    expect(stored.data.data.musicDescription).toBe('Closed before the save: big band swing')
    expect(stored.data.chat.map((m) => m.id)).toEqual(expected.chat.map((m) => m.id))
  })
})

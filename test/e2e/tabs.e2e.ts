import { describe, expect, test } from 'vitest'
import { pngImage, setupE2E, uniqueProjectId, WizardPage } from './harness'

const e2e = setupE2E()

describe('one project open in two tabs', () => {
  test('an edit in one tab appears in the other, and no edit of either tab is lost', async () => {
    const context = await e2e.newContext()
    const projectId = uniqueProjectId('tabs')
    const a = await WizardPage.open(context, projectId)
    await a.expectUnsaved()
    const b = await WizardPage.open(context, projectId)
    await b.expectUnsaved()

    // A answers; B follows.
    await a.skip()
    await a.answer('Tab A: epic orchestral')
    await a.expectSaved()
    await b.expectStep('track_ai_lyrics')
    expect(await b.visible()).toEqual(await a.visible())

    // B answers; A follows.
    await b.click('instrumental')
    await b.expectStep('track_generating')
    await b.page.locator('[data-testid=accept-track]:not([disabled])').waitFor()
    await b.click('accept-track')
    await b.answer('Tab B: mountains at dawn')
    await b.expectSaved()
    await a.expectStep('reference_images')
    expect(await a.visible()).toEqual(await b.visible())

    await a.uploadImages([
      { name: 'one.png', buffer: pngImage(48, 48, [250, 200, 40], [250, 60, 40]) },
      { name: 'two.png', buffer: pngImage(48, 48, [40, 200, 120], [20, 60, 160]) },
    ])
    await expect.poll(() => a.page.locator('[data-testid=reference-image]').count()).toBe(2)
    await a.click('continue')
    await a.expectSaved()
    await b.expectStep('reference_image_description')

    // Both tabs type at the same time, each in its own field.
    await Promise.all([
      a.page.locator('[data-testid=image-description]').nth(0).pressSequentially('warm light from A', { delay: 15 }),
      b.page.locator('[data-testid=image-description]').nth(1).pressSequentially('cold shadows from B', { delay: 15 }),
    ])
    const both = [
      { id: expect.any(String), text: 'warm light from A' },
      { id: expect.any(String), text: 'cold shadows from B' },
    ]
    await expect
      .poll(async () => (await e2e.serverDocument(projectId))?.data.data.referenceImages.map((i) => i.description), { timeout: 20_000 })
      .toEqual(['warm light from A', 'cold shadows from B'])
    await expect.poll(async () => (await a.visible()).images, { timeout: 10_000 }).toEqual(both)
    await expect.poll(async () => (await b.visible()).images, { timeout: 10_000 }).toEqual(both)
    await a.expectSaved()
    await b.expectSaved()
    expect(await a.visible()).toEqual(await b.visible())
  })
})

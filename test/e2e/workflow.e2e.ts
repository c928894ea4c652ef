import { describe, expect, test } from 'vitest'
import type { Page } from 'playwright-core'
import { consoleErrors, DESKTOP, expectAccessible, expectNoSidewaysScroll, PHONE, pngImage, screenshot, setupE2E, WizardPage, type Viewport } from './harness'

const e2e = setupE2E()

describe.each([
  { size: 'desktop', viewport: DESKTOP, suffix: '' },
  { size: '375 px phone', viewport: PHONE, suffix: '-phone' },
])('the music-clip wizard, start to finish in Chromium ($size)', ({ viewport, suffix }: { viewport: Viewport; suffix: string }) => {
  /** Every screen of the demo: axe-core finds nothing, and nothing scrolls sideways. */
  const check = async (page: Page, screen: string) => {
    await expectNoSidewaysScroll(page, screen)
    await expectAccessible(page, screen)
  }

  test('a user completes every step and the database holds the final state', async () => {
    const context = await e2e.newContext(viewport)
    const page = await context.newPage()
    const errors = consoleErrors(page)
    await page.goto('/')
    await page.locator('[data-testid=project-list] h1').waitFor()
    await check(page, 'the project list')
    await page.click('[data-testid=new-project]')
    const wizard = new WizardPage(page)
    await wizard.ready()
    const projectId = (await page.getAttribute('[data-testid=wizard]', 'data-project-id'))!
    expect(new URL(page.url()).searchParams.get('project')).toBe(projectId)
    await wizard.expectStep('track_input')
    await wizard.expectUnsaved()
    await check(page, 'a new project')
    // A new project asks the server nothing it cannot have (no 404 in the console), and is
    // not on the server before its first edit.
    expect(await e2e.serverDocument(projectId)).toBeUndefined()

    // track_input → track_ai_description: no track of our own.
    await wizard.skip()
    await wizard.expectStep('track_ai_description')
    await wizard.expectStatus('pending', 'Saving…')
    if (!suffix) await screenshot(page, 'status-saving.png', { selector: '[data-testid=save-status]', padding: 10 })
    await check(page, 'the music step')

    // The genre modal fills the answer in; sending it answers the step.
    await wizard.click('open-genres')
    await page.click('[data-testid=genre-option][data-value=Synthwave]')
    await page.click('[data-testid=genre-option][data-value=Lo-fi]')
    await check(page, 'the genre picker')
    // Escape closes it and gives the focus back to the button that opened it.
    await page.keyboard.press('Escape')
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('open-genres')
    await wizard.click('open-genres')
    await page.click('[data-testid=genre-option][data-value=Synthwave]')
    await page.click('[data-testid=genre-option][data-value=Lo-fi]')
    await wizard.click('apply-genres')
    await expect.poll(() => page.inputValue('[data-testid=chat-input]')).toBe('Synthwave, Lo-fi')
    await page.fill('[data-testid=chat-input]', 'Synthwave, Lo-fi — slow and warm, 80 BPM')
    await page.click('[data-testid=send]')
    await wizard.expectStep('track_ai_lyrics')

    await wizard.expectSaved()
    if (!suffix) await screenshot(page, 'status-saved.png', { selector: '[data-testid=save-status]', padding: 10 })
    await check(page, 'the lyrics step')

    await wizard.generate()
    await wizard.expectStep('track_generating')
    await page.locator('[data-testid=accept-track]:not([disabled])').waitFor()
    await check(page, 'the generated track')
    await wizard.click('accept-track')
    await wizard.expectStep('video_description')
    await check(page, 'the video step')

    await wizard.answer('A night drive through a neon city, ending at sunrise.')
    await wizard.expectStep('reference_images')

    await wizard.uploadImages([
      { name: 'sunset.png', buffer: pngImage(96, 64, [255, 94, 58], [120, 40, 200]) },
      { name: 'city.png', buffer: pngImage(96, 64, [20, 30, 80], [0, 220, 255]) },
    ])
    await expect.poll(() => page.locator('[data-testid=reference-image]').count()).toBe(2)
    await check(page, 'the reference images')
    await wizard.click('continue')
    await wizard.expectStep('reference_image_description')
    await page.locator('[data-testid=image-description]').first().fill('The orange and purple of the sky')
    await wizard.expectSaved()
    await check(page, 'the image descriptions')
    if (suffix) {
      // On a phone the description fields come before the conversation, not below all of it.
      const [field, log] = await Promise.all([
        page.locator('[data-testid=image-description]').first().boundingBox(),
        page.locator('[data-testid=chat-log]').boundingBox(),
      ])
      expect(field!.y).toBeLessThan(log!.y)
    }
    await screenshot(page, `wizard${suffix}.png`, suffix ? { fullPage: true } : {})

    // "Generate with AI" describes the image still without a description.
    await wizard.generate()
    await wizard.expectStep('video_styles')

    await wizard.click('open-styles')
    await page.click('[data-testid=style-option][data-value=Cinematic]')
    await page.click('[data-testid=style-option][data-value="Retro VHS"]')
    await check(page, 'the style picker')
    await screenshot(page, `style-modal${suffix}.png`)
    await wizard.click('apply-styles')
    await wizard.expectStep('completed')
    await wizard.expectSaved()
    await check(page, 'the completed project')
    // The conversation scrolls by keyboard: it takes the focus and the arrow keys.
    expect(await page.getAttribute('[data-testid=chat-log]', 'tabindex')).toBe('0')
    await screenshot(page, `wizard-completed${suffix}.png`, suffix ? { fullPage: true } : {})

    const seen = await wizard.visible()
    const stored = await e2e.serverDocument(projectId)
    expect(stored, 'the server should hold the project').toBeDefined()
    const { data: state } = stored!
    expect(state.currentStep).toBe('completed')
    expect(state.data).toMatchObject({
      musicDescription: 'Synthwave, Lo-fi — slow and warm, 80 BPM',
      isInstrumental: false,
      videoDescription: 'A night drive through a neon city, ending at sunrise.',
      videoStyles: ['Cinematic', 'Retro VHS'],
      uploadedAudio: null,
    })
    expect(state.data.referenceImages.map(({ name, type, description }) => ({ name, type, description }))).toEqual([
      { name: 'sunset.png', type: 'image/png', description: 'The orange and purple of the sky' },
      { name: 'city.png', type: 'image/png', description: 'Use its colour palette and lighting. (image 2)' },
    ])
    // Only metadata and the upload's id are saved, never the bytes.
    for (const image of state.data.referenceImages) {
      expect(Object.keys(image).sort()).toEqual(['description', 'id', 'name', 'size', 'type'])
      expect((await fetch(`${e2e.url}/uploads/${image.id}`)).headers.get('content-type')).toBe('image/png')
    }
    expect(state.chat.map((m) => ({ id: m.id, role: m.role, text: m.content }))).toEqual(seen.chat)
    expect(state.chat.at(-1)).toMatchObject({ role: 'assistant' })

    // Back to the project list: the project is there, completed, and opens again.
    await wizard.click('back-to-projects')
    const row = page.locator(`[data-testid=project-row][data-project-id="${projectId}"]`)
    await expect.poll(() => row.locator('[data-testid=project-step]').textContent()).toBe('Completed')
    // The link reads as the project's title alone; step and date follow it as their own text.
    expect(await row.locator('[data-testid=project-link]').textContent()).toBe('Synthwave, Lo-fi — slow and warm, 80 BPM')
    await check(page, 'the project list with the project')
    await screenshot(page, `projects${suffix}.png`)
    await row.locator('[data-testid=project-link]').click()
    await wizard.ready()
    expect(await wizard.visible()).toEqual(seen)
    expect(errors, 'nothing failed in the console').toEqual([])
  })

  test('an uploaded track is kept as metadata plus the upload id', async () => {
    const context = await e2e.newContext()
    const page = await context.newPage()
    await page.goto('/')
    await page.click('[data-testid=new-project]')
    const wizard = new WizardPage(page)
    await wizard.ready()
    const projectId = (await page.getAttribute('[data-testid=wizard]', 'data-project-id'))!
    const bytes = Buffer.alloc(4096, 7)
    await wizard.uploadAudio('my-song.mp3', bytes)
    await wizard.expectStep('video_description')
    await wizard.expectSaved()
    const { data } = (await e2e.serverDocument(projectId))!
    expect(data.data.uploadedAudio).toEqual({ fileName: 'my-song.mp3', fileSize: 4096, fileType: 'audio/mpeg', fileId: expect.any(String) })
    const audioMessage = data.chat.find((message) => message.files?.audio)
    expect(audioMessage?.files?.audio).toEqual({
      name: 'my-song.mp3',
      size: 4096,
      type: 'audio/mpeg',
      lastModified: expect.any(Number),
      fileId: data.data.uploadedAudio!.fileId,
    })
    const stored = await fetch(`${e2e.url}/uploads/${data.data.uploadedAudio!.fileId}`)
    expect(Buffer.from(await stored.arrayBuffer()).equals(bytes)).toBe(true)
  })
})

import { describe, expect, test } from 'vitest'
import { pngImage, screenshot, setupE2E, WizardPage } from './harness'

const e2e = setupE2E()

describe('the music-clip wizard, start to finish in Chromium', () => {
  test('a user completes every step and the database holds the final state', async () => {
    const context = await e2e.newContext()
    const page = await context.newPage()
    await page.goto('/')
    await page.click('[data-testid=new-project]')
    const wizard = new WizardPage(page)
    await wizard.ready()
    const projectId = (await page.getAttribute('[data-testid=wizard]', 'data-project-id'))!
    expect(new URL(page.url()).searchParams.get('project')).toBe(projectId)
    await wizard.expectStep('track_input')

    // track_input → track_ai_description: no track of our own.
    await wizard.skip()
    await wizard.expectStep('track_ai_description')
    await wizard.expectStatus('pending', 'Saving…')
    await screenshot(page, 'status-saving.png', { selector: '[data-testid=save-status]', padding: 10 })

    // The genre modal fills the answer in; sending it answers the step.
    await wizard.click('open-genres')
    await page.click('[data-testid=genre-option][data-value=Synthwave]')
    await page.click('[data-testid=genre-option][data-value=Lo-fi]')
    await wizard.click('apply-genres')
    await expect.poll(() => page.inputValue('[data-testid=chat-input]')).toBe('Synthwave, Lo-fi')
    await page.fill('[data-testid=chat-input]', 'Synthwave, Lo-fi — slow and warm, 80 BPM')
    await page.click('[data-testid=send]')
    await wizard.expectStep('track_ai_lyrics')

    await wizard.expectSaved()
    await screenshot(page, 'status-saved.png', { selector: '[data-testid=save-status]', padding: 10 })

    await wizard.generate()
    await wizard.expectStep('track_generating')
    await page.locator('[data-testid=accept-track]:not([disabled])').waitFor()
    await wizard.click('accept-track')
    await wizard.expectStep('video_description')

    await wizard.answer('A night drive through a neon city, ending at sunrise.')
    await wizard.expectStep('reference_images')

    await wizard.uploadImages([
      { name: 'sunset.png', buffer: pngImage(96, 64, [255, 94, 58], [120, 40, 200]) },
      { name: 'city.png', buffer: pngImage(96, 64, [20, 30, 80], [0, 220, 255]) },
    ])
    await expect.poll(() => page.locator('[data-testid=reference-image]').count()).toBe(2)
    await wizard.click('continue')
    await wizard.expectStep('reference_image_description')
    await page.locator('[data-testid=image-description]').first().fill('The orange and purple of the sky')
    await wizard.expectSaved()
    await screenshot(page, 'wizard.png')

    // "Generate with AI" describes the image still without a description.
    await wizard.generate()
    await wizard.expectStep('video_styles')

    await wizard.click('open-styles')
    await page.click('[data-testid=style-option][data-value=Cinematic]')
    await page.click('[data-testid=style-option][data-value="Retro VHS"]')
    await screenshot(page, 'style-modal.png')
    await wizard.click('apply-styles')
    await wizard.expectStep('completed')
    await wizard.expectSaved()
    await screenshot(page, 'wizard-completed.png')

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
    const link = page.locator(`[data-testid=project-link][data-project-id="${projectId}"]`)
    await expect.poll(() => link.textContent()).toContain('Completed')
    await screenshot(page, 'projects.png')
    await link.click()
    await wizard.ready()
    expect(await wizard.visible()).toEqual(seen)
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
    expect(audioMessage?.files?.audio).toEqual({ name: 'my-song.mp3', size: 4096, type: 'audio/mpeg', lastModified: expect.any(Number), fileId: data.data.uploadedAudio!.fileId })
    const stored = await fetch(`${e2e.url}/uploads/${data.data.uploadedAudio!.fileId}`)
    expect(Buffer.from(await stored.arrayBuffer()).equals(bytes)).toBe(true)
  })
})

import { describe, expect, test } from 'vitest'
import { API_BASE } from '../../examples/music-clip-wizard/server/wizard-server'
import { initialState } from '../../examples/music-clip-wizard/src/workflow'
import { consoleErrors, setupE2E, uniqueProjectId, WizardPage } from './harness'

const e2e = setupE2E()

describe('the project list', () => {
  test('"New clip" creates nothing until the first edit, and asks the server for nothing that cannot exist', async () => {
    const context = await e2e.newContext()
    const page = await context.newPage()
    const errors = consoleErrors(page)
    await page.goto('/')
    await page.click('[data-testid=new-project]')
    const wizard = new WizardPage(page)
    await wizard.ready()
    await wizard.expectUnsaved()
    const projectId = (await page.getAttribute('[data-testid=wizard]', 'data-project-id'))!
    // A reload before any edit: still nothing asked, nothing created.
    await wizard.reload()
    await wizard.expectUnsaved()
    await wizard.click('back-to-projects')
    await page.locator('[data-testid=project-list]').waitFor()
    await expect.poll(() => page.getByText('Loading projects…').count()).toBe(0)
    expect(await page.locator(`[data-testid=project-row][data-project-id="${projectId}"]`).count()).toBe(0)
    expect(await e2e.serverDocument(projectId)).toBeUndefined()
    expect(errors).toEqual([])
  })

  test('a mistyped project link shows an empty wizard and creates nothing', async () => {
    const context = await e2e.newContext()
    const projectId = uniqueProjectId('typo')
    const wizard = await WizardPage.open(context, projectId)
    await wizard.expectUnsaved()
    await wizard.click('back-to-projects')
    await wizard.page.locator('[data-testid=project-list]').waitFor()
    expect(await e2e.serverDocument(projectId)).toBeUndefined()
  })

  test('is paged, and a project can be deleted', async () => {
    // 25 projects more than whatever the other files created.
    const ids = Array.from({ length: 25 }, () => uniqueProjectId('page'))
    for (const id of ids) {
      const response = await fetch(`${e2e.url}${API_BASE}/${encodeURIComponent(id)}`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': crypto.randomUUID() },
        body: JSON.stringify({ data: initialState() }),
      })
      expect(response.status).toBe(200)
    }
    const context = await e2e.newContext()
    const page = await context.newPage()
    page.on('dialog', (dialog) => void dialog.accept())
    await page.goto('/')
    const rows = page.locator('[data-testid=project-row]')
    await expect.poll(() => rows.count()).toBe(20)
    // Newest first: the last one created is on top.
    expect(await rows.first().getAttribute('data-project-id')).toBe(ids.at(-1))
    await page.click('[data-testid=more-projects]')
    await expect.poll(() => rows.count()).toBeGreaterThan(20)
    const shown = await rows.evaluateAll((elements) => elements.map((e) => e.getAttribute('data-project-id')))
    expect(new Set(shown).size, 'no project twice').toBe(shown.length)
    for (const id of ids) expect(shown).toContain(id)

    const victim = ids.at(-1)!
    await page.locator(`[data-testid=project-row][data-project-id="${victim}"] [data-testid=delete-project]`).click()
    await expect.poll(() => page.locator(`[data-testid=project-row][data-project-id="${victim}"]`).count()).toBe(0)
    expect(await e2e.serverDocument(victim)).toBeUndefined()
    await page.reload()
    await expect.poll(() => rows.count()).toBe(20)
    expect(await rows.first().getAttribute('data-project-id')).not.toBe(victim)
  })
})

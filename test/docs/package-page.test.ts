import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { root } from '../../scripts/check-doc-samples'

const readme = readFileSync(`${root}/README.md`, 'utf8')
const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as Record<string, unknown>

describe('the README and package.json as the npm page shows them', () => {
  it('package.json names the repository, the homepage and where to report bugs', () => {
    expect(pkg.repository, 'repository').toMatchObject({ type: 'git', url: expect.stringMatching(/^git\+https:\/\/github\.com\/.+\.git$/) })
    expect(pkg.homepage, 'homepage').toMatch(/^https:\/\//)
    expect(pkg.bugs, 'bugs').toMatchObject({ url: expect.stringMatching(/^https:\/\/.+\/issues$/) })
  })

  it('every link and image works from the npm page and from node_modules (absolute, or an anchor)', () => {
    const targets = [...readme.matchAll(/!?\[[^\]]*\]\(([^)\s]+)[^)]*\)/g)].map((m) => m[1]!)
    expect(targets.length).toBeGreaterThan(10)
    const relative = targets.filter((t) => !/^(https?:\/\/|#|mailto:)/.test(t))
    expect(relative, 'relative links are dead on the npm page').toEqual([])
    const repo = String(pkg.homepage).replace(/#.*$/, '')
    for (const target of targets.filter((t) => t.startsWith('https://github.com/'))) expect(target.startsWith(repo), target).toBe(true)
  })

  it('opens with what a consumer needs: install before any contributor command', () => {
    const install = readme.indexOf('npm install autosave-kit')
    expect(install).toBeGreaterThan(-1)
    expect(install, '"npm run demo" comes before installing the package').toBeLessThan(readme.indexOf('npm run demo'))
    expect(install).toBeLessThan(readme.indexOf('npm test'))
  })

  it('keeps the two commands (demo and test) for contributors, and CONTRIBUTING.md has them too', () => {
    expect(readme).toMatch(/^## The two commands$/m)
    expect(readme).toContain('npm install && npm run demo')
    expect(readme).toMatch(/^npm test\s/m)
    const contributing = readFileSync(`${root}/CONTRIBUTING.md`, 'utf8')
    expect(contributing).toContain('npm install && npm run demo')
    expect(contributing).toMatch(/^npm test\s/m)
  })
})

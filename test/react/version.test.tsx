import { version } from 'react'
import { version as domVersion } from 'react-dom'
import { describe, expect, it } from 'vitest'

describe('the React under test', () => {
  it('react and react-dom are the same major (the react18 project really runs React 18)', () => {
    expect(version.split('.')[0]).toBe(domVersion.split('.')[0])
    expect(['18', '19']).toContain(version.split('.')[0])
    console.log(`React ${version}`)
  })
})

import { describe, expect, test } from 'vitest'
import { OnlineManager } from '../../src/environment/online'

describe('OnlineManager', () => {
  // Browsers flip navigator.onLine first and fire `online` after it. A page loaded while
  // offline had never heard a source event, so comparing the event with navigator.onLine saw
  // no change and the engines never resumed sending (the e2e offline reload scenario).
  test('the source coming back online is heard even when navigator.onLine already says so', () => {
    let emit: (online: boolean) => void = () => {}
    const online = new OnlineManager((source) => {
      emit = source
    })
    const heard: boolean[] = []
    online.subscribe((value) => heard.push(value))
    // Without `navigator` (Node) isOnline() is already true, exactly like navigator.onLine
    // when the browser's `online` event arrives.
    emit(true)
    expect(heard, 'the "online" event was swallowed').toEqual([true])
    emit(false)
    emit(false)
    emit(true)
    expect(heard, 'later events report changes only').toEqual([true, false, true])
  })

  test('setOnline reports changes only', () => {
    const online = new OnlineManager(() => {})
    const heard: boolean[] = []
    online.subscribe((value) => heard.push(value))
    online.setOnline(true)
    online.setOnline(false)
    online.setOnline(false)
    online.setOnline(undefined)
    expect(heard).toEqual([false, true])
  })
})

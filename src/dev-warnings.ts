import type { AutosaveError } from './errors'

/**
 * Development builds warn once per error code when nothing listens to `error`: otherwise a
 * failing save shows up only as status text (a function in the state, a refused write).
 * Production builds (bundlers replace `process.env.NODE_ENV`) and test runs stay silent.
 */
export function createDevWarnings(key: string): (error: AutosaveError) => void {
  // Written so that a bundler's "production" folds the condition and drops the warning code
  // altogether; without a bundler, `process` may be missing (the ReferenceError is caught).
  try {
    if (process.env.NODE_ENV !== 'production') return devWarnings(key)
  } catch {}
  return () => {}
}

function devWarnings(key: string): (error: AutosaveError) => void {
  const warned = new Set<string>()
  return (error) => {
    if (!isDevelopment() || warned.has(error.code)) return
    warned.add(error.code)
    console.warn(
      `autosave-kit: "${key}": ${error.code}: ${error.message} (listen with saver.on('error', …) to handle it; this warning is shown once per code, in development only)`,
    )
  }
}

function isDevelopment(): boolean {
  // `process` is absent in browsers unless the bundler replaced the expression.
  const mode = typeof process === 'undefined' ? undefined : process.env?.NODE_ENV
  return mode !== undefined ? mode !== 'production' && mode !== 'test' : false
}

/**
 * `npm run demo`: serves the app, the autosave API and uploads on one localhost port, and
 * builds the app with Vite once the port is known to be free (a second `npm run demo` must
 * not rebuild the running one's files, nor open its database). Environment: PORT (default
 * 5173), HOST (default 127.0.0.1), DATABASE_URL (PostgreSQL instead of PGlite), DATA_DIR
 * (default examples/music-clip-wizard/data). `--no-build` serves the last build.
 */
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { startWizardServer } from './wizard-server'

const root = fileURLToPath(new URL('..', import.meta.url))

export async function buildApp(outDir?: string): Promise<void> {
  const { build } = await import('vite')
  // Vite keeps a NODE_ENV it finds set (vitest sets "test"), and would then build React's
  // development build (540 kB instead of 320 kB) with development JSX. The demo and the
  // browser tests run the production app.
  const nodeEnv = process.env.NODE_ENV
  process.env.NODE_ENV = 'production'
  try {
    await build({ configFile: `${root}vite.config.ts`, logLevel: 'warn', mode: 'production', ...(outDir ? { build: { outDir, emptyOutDir: true } } : {}) })
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV
    else process.env.NODE_ENV = nodeEnv
  }
}

/** Whether `port` can be listened on; the error (EADDRINUSE, EACCES…) when it cannot. */
function probePort(port: number, host: string): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const probe = createServer()
    probe.once('error', (error: NodeJS.ErrnoException) => resolve(error))
    probe.listen(port, host, () => probe.close(() => resolve(undefined)))
  })
}

function portProblem(error: NodeJS.ErrnoException, port: number, host: string): string {
  if (error.code === 'EADDRINUSE')
    return `Port ${port} is in use (another "npm run demo"?) — stop it, or set PORT to use another port, e.g. PORT=5180 npm run demo`
  if (error.code === 'EACCES') return `Port ${port} needs privileges this user lacks — set PORT to a port above 1024, e.g. PORT=5180 npm run demo`
  if (error.code === 'EADDRNOTAVAIL') return `HOST=${host} is not an address of this machine — set HOST (default 127.0.0.1)`
  return `Cannot listen on ${host}:${port} (${error.code ?? error.message}) — set PORT or HOST`
}

async function main() {
  const port = Number(process.env.PORT ?? 5173)
  const host = process.env.HOST ?? '127.0.0.1'
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`PORT=${process.env.PORT} is not a port number (0–65535).`)
    process.exit(1)
  }
  // Before the database and the build: a busy port must leave a running demo alone (its
  // PGlite folder, its dist/). The probe is released at once; the server takes the port next.
  const busy = await probePort(port, host)
  if (busy) {
    console.error(portProblem(busy, port, host))
    process.exit(1)
  }
  const server = await startWizardServer({
    port,
    host,
    dataDir: process.env.DATA_DIR,
    databaseUrl: process.env.DATABASE_URL || undefined,
  }).catch((error: NodeJS.ErrnoException) => {
    // Taken in the moment since the probe.
    if (error.code && error.syscall === 'listen') {
      console.error(portProblem(error, port, host))
      process.exit(1)
    }
    throw error
  })
  const stop = () => {
    void server.close().finally(() => process.exit(0))
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  // The port is ours now: building can no longer disturb another demo.
  if (!process.argv.includes('--no-build')) {
    const started = Date.now()
    process.stdout.write('Building the music-clip wizard… ')
    await buildApp()
    console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  }
  console.log(`Database: ${server.database.description}`)
  console.log(`\n  Music-clip wizard running at ${server.url.replace('127.0.0.1', 'localhost')}\n`)
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    console.error(error)
    process.exit(1)
  })
}

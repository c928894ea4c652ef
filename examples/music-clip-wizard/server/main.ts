/**
 * `npm run demo`: builds the app with Vite, then serves it, the autosave API and uploads on
 * one localhost port. Environment: PORT (default 5173), HOST (default 127.0.0.1),
 * DATABASE_URL (PostgreSQL instead of PGlite), DATA_DIR (default examples/music-clip-wizard/data).
 * `--no-build` serves the last build.
 */
import { fileURLToPath } from 'node:url'
import { startWizardServer } from './wizard-server'

const root = fileURLToPath(new URL('..', import.meta.url))

export async function buildApp(outDir?: string): Promise<void> {
  const { build } = await import('vite')
  await build({ configFile: `${root}vite.config.ts`, logLevel: 'warn', ...(outDir ? { build: { outDir, emptyOutDir: true } } : {}) })
}

async function main() {
  if (!process.argv.includes('--no-build')) {
    const started = Date.now()
    process.stdout.write('Building the music-clip wizard… ')
    await buildApp()
    console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  }
  const server = await startWizardServer({
    port: Number(process.env.PORT ?? 5173),
    host: process.env.HOST ?? '127.0.0.1',
    dataDir: process.env.DATA_DIR,
    databaseUrl: process.env.DATABASE_URL || undefined,
  })
  console.log(`Database: ${server.database.description}`)
  console.log(`\n  Music-clip wizard running at ${server.url.replace('127.0.0.1', 'localhost')}\n`)
  const stop = () => {
    void server.close().finally(() => process.exit(0))
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    console.error(error)
    process.exit(1)
  })
}

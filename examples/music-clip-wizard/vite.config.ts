import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

// The example imports the library by its package name; the aliases point at the sources, so
// `npm run demo` needs no library build and always shows the code in this checkout.
export default defineConfig({
  root: here('.'),
  resolve: {
    alias: [
      { find: /^autosave-kit\/react$/, replacement: here('../../src/react/index.ts') },
      { find: /^autosave-kit$/, replacement: here('../../src/index.ts') },
    ],
  },
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1024,
  },
  server: {
    // `vite` alone (hot reload while editing the UI) proxies to a running `npm run demo`.
    proxy: { '/api': 'http://127.0.0.1:5173', '/uploads': 'http://127.0.0.1:5173' },
    port: 5174,
  },
})

import { readFileSync } from 'node:fs'
import { defineConfig } from 'tsup'

const pkg = JSON.parse(readFileSync('./package.json', 'utf8')) as Record<string, Record<string, string> | undefined>
// Dependencies and peers (and their subpaths, e.g. zod/mini) stay imports; users' bundlers dedupe them.
const external = [...Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies })].map((name) => new RegExp(`^${name}(/.*)?$`))

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    react: 'src/react/index.ts',
    testing: 'src/testing/index.ts',
    server: 'src/server/index.ts',
    vue: 'src/vue/index.ts',
    svelte: 'src/svelte/index.ts',
    'react-hook-form': 'src/react-hook-form/index.ts',
    devtools: 'src/devtools/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  treeshake: true,
  target: 'es2022',
  external: [...external, /^autosave-kit(\/.*)?$/],
})

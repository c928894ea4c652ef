// Components are compiled by @sveltejs/vite-plugin-svelte when the tests run; tsc only needs their type.
declare module '*.svelte' {
  import type { Component } from 'svelte'
  const component: Component<any>
  export default component
}

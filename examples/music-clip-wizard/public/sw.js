// The app shell, cached so the wizard opens even when the network is gone. Answers are not
// cached here: the autosave store (IndexedDB) keeps them, and the API always goes to the
// network so a restore never sees a stale server copy.
const CACHE = 'music-clip-wizard-shell-v1'

// Requests this worker never answers: the autosave API, uploads and the test hooks. (Chromium
// may still drop a keepalive write that passes a worker while the page unloads; the engine's
// synchronous page-exit copy in localStorage keeps that edit, and the next load sends it.
// Static routes (`addRoutes`) would avoid the worker entirely, but with them an offline
// end-to-end run saw a write reach the server through DevTools' offline emulation.)
const NETWORK_ONLY = ['/api/', '/uploads', '/__test__/']

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE)
      const response = await fetch('/index.html', { cache: 'no-cache' })
      const html = await response.clone().text()
      await cache.put('/index.html', response)
      // Hashed bundles referenced by the page (vite build output).
      const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((match) => match[1])
      await cache.addAll(assets)
      await self.skipWaiting()
    })(),
  )
})

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name !== CACHE) await caches.delete(name)
      await self.clients.claim()
    })(),
  )
})

self.addEventListener('fetch', (event) => {
  const request = event.request
  const url = new URL(request.url)
  // Not ours to answer: the browser sends these to the network as if there were no worker.
  if (request.method !== 'GET' || url.origin !== self.location.origin) return
  if (NETWORK_ONLY.some((prefix) => url.pathname.startsWith(prefix))) return
  // Network first, so a new build shows at once; the cache answers only when offline.
  event.respondWith(
    (async () => {
      try {
        const response = await fetch(request)
        if (response.ok && (request.mode === 'navigate' || url.pathname.startsWith('/assets/'))) {
          const cache = await caches.open(CACHE)
          await cache.put(request.mode === 'navigate' ? '/index.html' : request, response.clone())
        }
        return response
      } catch (error) {
        const cached = request.mode === 'navigate' ? await caches.match('/index.html') : await caches.match(request)
        if (cached) return cached
        throw error
      }
    })(),
  )
})

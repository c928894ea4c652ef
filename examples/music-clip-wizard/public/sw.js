// The app shell, cached so the wizard opens even when the network is gone. Answers are not
// cached here: the autosave store (IndexedDB) keeps them, and the API always goes to the
// network so a restore never sees a stale server copy.
const CACHE = 'music-clip-wizard-shell-v1'

// Requests that must never pass through this worker: the autosave API, uploads and the test
// hooks. Returning from a fetch handler without respondWith is not enough: Chromium still
// routes the request through the worker, and drops the keepalive write the autosave engine
// sends while the page unloads (a click followed by a quick reload was lost). Static routes
// (Chromium 123+) send them straight to the network, the worker never sees them.
const NETWORK_ONLY = ['/api/', '/uploads', '/__test__/']

self.addEventListener('install', (event) => {
  if (typeof event.addRoutes === 'function') {
    // Called during dispatch, as the API requires. Patterns are relative to this script's
    // URL (same origin). A browser that refuses them still has the check in the fetch handler.
    try {
      event.addRoutes(NETWORK_ONLY.map((prefix) => ({ condition: { urlPattern: `${prefix}*` }, source: 'network' }))).catch(() => {})
    } catch {
      // Not supported in this form: the fetch handler's early return still applies.
    }
  }
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

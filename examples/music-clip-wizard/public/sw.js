// The app shell, cached so the wizard opens even when the network is gone. Answers are not
// cached here: the autosave store (IndexedDB) keeps them, and the API always goes to the
// network so a restore never sees a stale server copy.
const CACHE = 'music-clip-wizard-shell-v1'

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
  if (request.method !== 'GET' || url.origin !== self.location.origin) return
  if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/uploads') || url.pathname.startsWith('/__test__/')) return
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

import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App'
import './styles.css'

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
)

// The app shell is cached by a service worker so that a reload while offline still opens the
// wizard — and the autosave store (IndexedDB) then brings back the unsent answers.
if ('serviceWorker' in navigator && location.protocol !== 'file:') {
  void navigator.serviceWorker.register('/sw.js').catch((error: unknown) => console.warn('Service worker not registered:', error))
}

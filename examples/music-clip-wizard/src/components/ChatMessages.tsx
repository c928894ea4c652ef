import { useEffect, useRef } from 'react'
import { fileUrl } from '../api'
import type { ChatMessage } from '../state'

export function ChatMessages({ chat }: { chat: readonly ChatMessage[] }) {
  const end = useRef<HTMLDivElement>(null)
  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll to the end each time a message arrives
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'end' })
  }, [chat.length])
  return (
    // A scrolling region the keyboard can reach (tabIndex) and scroll with the arrow keys.
    // biome-ignore lint/a11y/noNoninteractiveTabindex: axe's scrollable-region-focusable asks for exactly this
    <div className="chat__log" data-testid="chat-log" role="log" aria-label="Messages" tabIndex={0}>
      {chat.map((message) => (
        <article key={message.id} className={`bubble bubble--${message.role}`} data-testid="chat-message" data-role={message.role} data-id={message.id}>
          <p>{message.content}</p>
          {message.files?.audio && (
            <p className="attachment" data-testid="chat-audio">
              ♪ {message.files.audio.name} · {formatBytes(message.files.audio.size)}
            </p>
          )}
          {message.files?.images && (
            <div className="thumbs">
              {message.files.images.map((image) => (
                <img key={image.fileId ?? image.name} src={image.fileId ? fileUrl(image.fileId) : undefined} alt={image.name} title={image.name} />
              ))}
            </div>
          )}
          <time dateTime={message.timestamp}>{new Date(message.timestamp).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}</time>
        </article>
      ))}
      <div ref={end} />
    </div>
  )
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

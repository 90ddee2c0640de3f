/** The one JSON line a benchmark server prints once it listens (its origin and what it seeded). */
export async function readFirstLine<T = unknown>(stream: ReadableStream<Uint8Array>): Promise<T> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!text.includes("\n")) {
    const { done, value } = await reader.read();
    if (done) throw new Error("a benchmark server exited before it listened");
    text += decoder.decode(value, { stream: true });
  }
  reader.releaseLock();
  return JSON.parse(text.slice(0, text.indexOf("\n")));
}

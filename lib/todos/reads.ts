/**
 * Reading todos: the public reads ({@linkcode listTodos}, {@linkcode getTodo}) and the entry
 * reads the writes check their atomic operations against.
 */
import { todoChangesKey, todoKey, todosPrefix } from "./keys.ts";
import { type ListAt, listCacheOf } from "./list_cache.ts";
import { isTodoId, noTodo } from "./refusals.ts";
import type { Todo } from "./rules.ts";

/**
 * Lists a user's todos in creation order (the key order of their ULIDs): completing or
 * editing a todo never moves it, so a person working down the list keeps their place.
 * The todos are frozen: they may be shared with other readers of the same list.
 */
export async function listTodos(kv: Deno.Kv, userId: string): Promise<Todo[]> {
  return (await readList(kv, userId)).todos.slice();
}

/**
 * The user's list and the change marker it is at least as new as. One `get` of the marker
 * (or `marker`, its entry read by the caller in this request); the todos are listed only when
 * the marker moved since this isolate last listed them (./list_cache.ts). The marker is read
 * before the list, so a kept list is never older than the marker it is kept under.
 */
export async function readList(
  kv: Deno.Kv,
  userId: string,
  marker?: Deno.KvEntryMaybe<unknown>,
): Promise<ListAt> {
  const cache = listCacheOf(kv);
  if (cache.budget === 0) return { versionstamp: null, todos: await listFromKv(kv, userId) };
  if (!marker || !isMarkerOf(marker.key, userId)) marker = await kv.get(todoChangesKey(userId));
  const kept = cache.get(userId, marker.versionstamp);
  if (kept) return kept;
  const read: ListAt = {
    versionstamp: marker.versionstamp,
    todos: await listFromKv(kv, userId),
  };
  cache.set(userId, read);
  return read;
}

function isMarkerOf(key: Deno.KvKey, userId: string): boolean {
  const [name, owner] = todoChangesKey(userId);
  return key.length === 2 && key[0] === name && key[1] === owner;
}

/** Every todo of the user, frozen, in key (creation) order. */
async function listFromKv(kv: Deno.Kv, userId: string): Promise<readonly Readonly<Todo>[]> {
  const todos: Readonly<Todo>[] = [];
  for await (const entry of kv.list<Todo>({ prefix: todosPrefix(userId) }, { batchSize: 500 })) {
    todos.push(Object.freeze(entry.value));
  }
  return Object.freeze(todos);
}

/** Returns one of a user's todos, or throws `NotFoundError`. */
export async function getTodo(kv: Deno.Kv, userId: string, todoId: string): Promise<Todo> {
  return (await readTodo(kv, userId, todoId)).value;
}

/** The entry of one of a user's todos; `NotFoundError` for unknown and malformed ids. */
export async function readTodo(
  kv: Deno.Kv,
  userId: string,
  todoId: unknown,
): Promise<Deno.KvEntry<Todo>> {
  if (!isTodoId(todoId)) throw noTodo(todoId);
  const entry = await kv.get<Todo>(todoKey(userId, todoId));
  if (entry.versionstamp === null) throw noTodo(todoId);
  return entry;
}

/** The existing todos among `ids`, in the order given. */
export function readTodos(
  kv: Deno.Kv,
  userId: string,
  ids: string[],
): Promise<Deno.KvEntry<Todo>[]> {
  return getManyEntries<Todo>(kv, ids.map((id) => todoKey(userId, id)));
}

/** Reads `keys` (any number; `getMany` takes 10 at a time) and keeps the ones that exist. */
export async function getManyEntries<T>(
  kv: Deno.Kv,
  keys: Deno.KvKey[],
): Promise<Deno.KvEntry<T>[]> {
  const parts = await Promise.all(chunks(keys, 10).map((part) => kv.getMany<T[]>(part)));
  return parts.flat().filter((entry): entry is Deno.KvEntry<T> => entry.versionstamp !== null);
}

/** `items` cut into runs of at most `size`. */
export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

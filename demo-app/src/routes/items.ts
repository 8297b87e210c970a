import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { type AuthStore, currentUser, requireUser } from '../auth.ts';
import { type Db, nowIso } from '../db.ts';
import { notFound, validationError } from '../errors.ts';

interface ItemRow {
  id: number;
  title: string;
  body: string;
  created_at: string;
  updated_at: string;
}

export interface Item {
  id: number;
  title: string;
  body: string;
  createdAt: string;
  updatedAt: string;
}

const toItem = (row: ItemRow): Item => ({
  id: row.id,
  title: row.title,
  body: row.body,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const ItemBody = z.object(
  {
    title: z
      .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
      .trim()
      .min(1, 'must be 1 to 200 characters')
      .max(200, 'must be 1 to 200 characters'),
    body: z.string({ error: 'must be a string' }).max(5000, 'must be at most 5000 characters').default(''),
  },
  { error: (issue) => (issue.code === 'invalid_type' ? 'request body must be a JSON object' : undefined) },
);

const IdParam = z.object({
  id: z.coerce
    .number({ error: 'must be a positive integer' })
    .int('must be a positive integer')
    .positive('must be a positive integer')
    .max(Number.MAX_SAFE_INTEGER, 'must be a positive integer'),
});

function parseId(params: unknown): number {
  const parsed = IdParam.safeParse(params);
  if (!parsed.success) throw validationError(parsed.error);
  return parsed.data.id;
}

function parseBody(body: unknown): z.infer<typeof ItemBody> {
  const parsed = ItemBody.safeParse(body ?? {});
  if (!parsed.success) throw validationError(parsed.error);
  return parsed.data;
}

/** Items belong to one user; another user's item is a 404, never a 403, so ids reveal nothing. */
export function registerItemRoutes(app: FastifyInstance, deps: { db: Db; auth: AuthStore }): void {
  const { db, auth } = deps;
  const columns = 'id, title, body, created_at, updated_at';
  const find = (userId: number, id: number) =>
    db.timed('items.get', (sqlite) =>
      sqlite.prepare(`SELECT ${columns} FROM items WHERE id = ? AND user_id = ?`).get(id, userId),
    ) as ItemRow | undefined;

  app.register(async (scope) => {
    scope.addHook('preHandler', requireUser(auth));

    scope.get('/api/items', async (request) => {
      const user = currentUser(request);
      const rows = db.timed('items.list', (sqlite) =>
        sqlite.prepare(`SELECT ${columns} FROM items WHERE user_id = ? ORDER BY id DESC`).all(user.id),
      ) as ItemRow[];
      return { items: rows.map(toItem) };
    });

    scope.post('/api/items', async (request, reply) => {
      const user = currentUser(request);
      const { title, body } = parseBody(request.body);
      const now = nowIso();
      const result = db.timed('items.insert', (sqlite) =>
        sqlite
          .prepare('INSERT INTO items (user_id, title, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?)')
          .run(user.id, title, body, now, now),
      );
      const id = Number(result.lastInsertRowid);
      request.log.info({ event: 'item_created', item_id: id }, 'item created');
      return reply
        .code(201)
        .header('location', `/api/items/${id}`)
        .send(toItem({ id, title, body, created_at: now, updated_at: now }));
    });

    scope.get('/api/items/:id', async (request) => {
      const row = find(currentUser(request).id, parseId(request.params));
      if (!row) throw notFound('item');
      return toItem(row);
    });

    scope.put('/api/items/:id', async (request) => {
      const user = currentUser(request);
      const id = parseId(request.params);
      const { title, body } = parseBody(request.body);
      const changes = db.timed('items.update', (sqlite) =>
        sqlite
          .prepare('UPDATE items SET title = ?, body = ?, updated_at = ? WHERE id = ? AND user_id = ?')
          .run(title, body, nowIso(), id, user.id),
      ).changes;
      if (changes === 0) throw notFound('item');
      request.log.info({ event: 'item_updated', item_id: id }, 'item updated');
      return toItem(find(user.id, id)!);
    });

    scope.delete('/api/items/:id', async (request, reply) => {
      const user = currentUser(request);
      const id = parseId(request.params);
      const changes = db.timed('items.delete', (sqlite) =>
        sqlite.prepare('DELETE FROM items WHERE id = ? AND user_id = ?').run(id, user.id),
      ).changes;
      if (changes === 0) throw notFound('item');
      request.log.info({ event: 'item_deleted', item_id: id }, 'item deleted');
      return reply.code(204).send();
    });
  });
}

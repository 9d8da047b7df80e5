/** `/history`: finished prompts, their outputs and status; survives restarts (see HistoryStore). */
import { Router } from 'express';
import { z } from 'zod';
import { errorBody } from '../httpErrors';
import type { StudioServices } from '../services';

const historyActionSchema = z.looseObject({
  clear: z.boolean().optional(),
  delete: z.array(z.string()).optional(),
});

function optionalInt(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^\d+$/.test(value)) return undefined;
  return Number.parseInt(value, 10);
}

export function historyRoutes({ history }: StudioServices): Router {
  const router = Router();

  router.get('/history', (req, res) => {
    res.json(
      history.list({ maxItems: optionalInt(req.query.max_items), offset: optionalInt(req.query.offset) }),
    );
  });

  router.get('/history/:promptId', (req, res) => {
    const entry = history.get(req.params.promptId);
    res.json(entry ? { [req.params.promptId]: entry } : {});
  });

  router.post('/history', async (req, res) => {
    const parsed = historyActionSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      res
        .status(400)
        .json(
          errorBody(
            'invalid_request',
            'Invalid history action',
            'send {"clear": true} or {"delete": [prompt_id, ...]}',
          ),
        );
      return;
    }
    if (parsed.data.clear) await history.clear();
    if (parsed.data.delete) await history.delete(parsed.data.delete);
    res.json({});
  });

  return router;
}

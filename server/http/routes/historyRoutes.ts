/** `/history`: finished prompts, their outputs and status; survives restarts (see HistoryStore). */
import { Router } from 'express';
import type { StudioServices } from '../services';
import { parseListAction } from './listActions';

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
    const action = parseListAction(req, res, 'history');
    if (!action) return;
    if (action.clear) await history.clear();
    if (action.delete) await history.delete(action.delete);
    res.json({});
  });

  return router;
}

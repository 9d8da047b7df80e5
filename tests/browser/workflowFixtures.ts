/** UI workflows the browser tests open (built here so each test starts from a known graph). */
import type { UiWorkflow } from '../../server/http/uiWorkflowSchema';
import { FAKE_TRAINER_NODE, WIDGET_KINDS_NODE } from './testNodes';

export const TRAINER_STEPS = 16;

/** EmptyImage → fake trainer → SaveImage, plus a node with every widget kind (ids 1–4). */
export function trainerWorkflow(): UiWorkflow {
  return {
    last_node_id: 4,
    last_link_id: 2,
    nodes: [
      {
        id: 1,
        type: 'EmptyImage',
        pos: [40, 80],
        size: [300, 150],
        flags: {},
        order: 0,
        mode: 0,
        outputs: [{ name: 'IMAGE', type: 'IMAGE', links: [1], slot_index: 0 }],
        properties: {},
        widgets_values: [96, 64, 1, 0x2a9d8f],
      },
      {
        id: 2,
        type: FAKE_TRAINER_NODE,
        pos: [400, 80],
        size: [360, 320],
        flags: {},
        order: 1,
        mode: 0,
        inputs: [{ name: 'images', type: 'IMAGE', link: 1 }],
        outputs: [{ name: 'IMAGE', type: 'IMAGE', links: [2], slot_index: 0 }],
        properties: {},
        widgets_values: [TRAINER_STEPS, 120],
      },
      {
        id: 3,
        type: 'SaveImage',
        pos: [820, 80],
        size: [300, 300],
        flags: {},
        order: 2,
        mode: 0,
        inputs: [{ name: 'images', type: 'IMAGE', link: 2 }],
        properties: {},
        widgets_values: ['trained'],
      },
      {
        id: 4,
        type: WIDGET_KINDS_NODE,
        pos: [40, 330],
        size: [320, 320],
        flags: {},
        order: 3,
        mode: 0,
        properties: {},
        widgets_values: ['a photo of <cat-toy> on a beach', 42, 'increment', 7.5, true, 'ddim'],
      },
    ],
    links: [
      [1, 1, 0, 2, 0, 'IMAGE'],
      [2, 2, 0, 3, 0, 'IMAGE'],
    ],
    groups: [],
    config: {},
    extra: {},
    version: 0.4,
  };
}

/**
 * LoadImage's `image_upload` option: an upload button under the file combo, and uploads by drag-and-drop
 * onto the node. The chosen input image is previewed on the node (see canvas/nodeOverlays.ts).
 */
import type { LGraphNode } from '@comfyorg/litegraph';
import type { IBaseWidget } from '@comfyorg/litegraph/dist/types/widgets';
import { studioApi } from '../api/studioApi';
import type { FileRef } from '../api/wire';
import { useToastStore } from '../stores/toastStore';
import { ensureFreeSpace } from '../canvas/nodeOverlays';

/** The combo widget holding an uploadable image name, e.g. `photo.png` or `sub/photo.png`. */
export type ImageComboWidget = IBaseWidget & { options: { values?: unknown } };

/** `sub/photo.png` → the `/view` reference of that input image. */
export function inputImageRef(value: unknown): FileRef | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const cut = value.lastIndexOf('/');
  return { filename: value.slice(cut + 1), subfolder: cut < 0 ? '' : value.slice(0, cut), type: 'input' };
}

/** Uploads `file` to input/ and selects it in `combo`. */
export async function uploadImageToCombo(
  node: LGraphNode,
  combo: ImageComboWidget,
  file: File,
  onChange: () => void,
): Promise<void> {
  if (!file.type.startsWith('image/')) {
    useToastStore().show(
      'error',
      `Cannot upload "${file.name}"`,
      `it is ${file.type || 'not an image'}; choose a PNG, JPEG or WebP image`,
    );
    return;
  }
  try {
    const result = await studioApi.uploadImage(file);
    const name = result.subfolder ? `${result.subfolder}/${result.name}` : result.name;
    const values = Array.isArray(combo.options.values) ? combo.options.values : [];
    if (!values.includes(name)) combo.options.values = [...values, name].sort();
    combo.value = name;
    combo.callback?.(name);
    if ('requestRoom' in node && typeof node.requestRoom === 'function') node.requestRoom(200);
    else ensureFreeSpace(node, 200);
    node.setDirtyCanvas(true, false);
    onChange();
  } catch (err) {
    useToastStore().error(`Upload of "${file.name}" failed`, err);
  }
}

/** Adds the "choose file to upload" button under `combo`. */
export function addImageUploadButton(
  node: LGraphNode,
  combo: ImageComboWidget,
  onChange: () => void,
): IBaseWidget {
  const button = node.addWidget(
    'button',
    'upload',
    'image',
    () => {
      const input = document.createElement('input');
      input.type = 'file';
      input.accept = 'image/png,image/jpeg,image/webp';
      input.addEventListener('change', () => {
        const file = input.files?.[0];
        if (file) void uploadImageToCombo(node, combo, file, onChange);
      });
      input.click();
    },
    {},
  );
  button.label = 'choose file to upload';
  button.serialize = false;
  return button;
}

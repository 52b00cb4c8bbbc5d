import type { LabelChoice, LabelMapOffer } from './protocol';

// Which names the preview gives the class ids a model returns, as pure functions (the webview
// decides as results arrive; the tests need no panel). A label map belongs to one model: the
// model's own comes first. A workspace's label map is only borrowed when the model has none and
// every id the model returned is in it, and the panel says it borrowed. When the ids do not fit,
// names from that map would be wrong (a COCO model's dogs named after a pet data set's breeds), so
// the panel shows ids and a banner instead, unless the user picked that map in Labels.

export interface LabelDecision {
  /** Class id -> name; empty when ids are shown. */
  readonly names: ReadonlyMap<number, string>;
  /** The label map the names come from. */
  readonly from?: LabelMapOffer;
  /** One line on where names come from, or why there are none. */
  readonly note: string;
  /** Set when the returned ids do not fit the label map in question: said in a banner. */
  readonly banner?: string;
  /** The returned ids the label map in question lacks, ascending. */
  readonly missing: readonly number[];
}

/** The ids in `ids` that `names` lacks, ascending, each once. */
export function idsOutside(names: ReadonlyMap<number, string>, ids: Iterable<number>): number[] {
  return [...new Set(ids)].filter((id) => !names.has(id)).sort((a, b) => a - b);
}

/** "class 3, class 18" with at most `max` named, then how many more. */
export function listClassIds(ids: readonly number[], max = 8): string {
  const named = ids.slice(0, max).map((id) => `class ${id}`);
  return ids.length > max ? `${named.join(', ')} and ${ids.length - max} more` : named.join(', ');
}

const ORIGIN: Record<LabelMapOffer['origin'], string> = {
  model: "the model's label map",
  workspace: "the workspace's label map",
  file: 'the label map',
};

function use(offer: LabelMapOffer, ids: readonly number[], note: string): LabelDecision {
  const names = new Map(offer.labels);
  const missing = idsOutside(names, ids);
  if (missing.length === 0) return { names, from: offer, note, missing };
  const lacking = `The model returned ${listClassIds(missing)}, which ${ORIGIN[offer.origin]} ${offer.shown} lacks: those show as ids.`;
  const advice =
    offer.origin === 'model'
      ? ' Is it the label map the model was trained with?'
      : " The other names may be another model's: choose the model's own label map in Labels.";
  return { names, from: offer, note, missing, banner: lacking + advice };
}

function idsOnly(note: string, banner?: string, missing: readonly number[] = []): LabelDecision {
  return { names: new Map(), note, missing, ...(banner ? { banner } : {}) };
}

/**
 * The names to show for a model that returned `returned` class ids, given the label maps on offer
 * and the user's choice in Labels ('auto' unless they chose).
 */
export function chooseLabels(
  offers: readonly LabelMapOffer[],
  choice: LabelChoice,
  returned: Iterable<number>,
): LabelDecision {
  const ids = [...new Set(returned)];
  const model = offers.find((o) => o.origin === 'model');
  const file = offers.find((o) => o.origin === 'file');
  const workspace = offers.filter((o) => o.origin === 'workspace');
  const fitting = workspace.find((o) => idsOutside(new Map(o.labels), ids).length === 0);

  if (choice === 'ids') return idsOnly('Class ids only, as chosen in Labels.');
  if (choice === 'file' && file)
    return use(file, ids, `Class names from ${file.shown}, chosen in Labels.`);
  if (choice === 'model')
    return model
      ? use(model, ids, `Class names from the model's label map ${model.shown}.`)
      : idsOnly(
          'The model has no label map of its own: class ids are shown. Choose a file in Labels.',
        );
  if (choice === 'workspace') {
    const chosen = fitting ?? workspace[0];
    if (chosen)
      return use(
        chosen,
        ids,
        `Class names from the workspace's label map ${chosen.shown}, chosen in Labels.`,
      );
    return idsOnly('The workspace has no label map: class ids are shown.');
  }
  // Automatic: the model's own, else a workspace label map that every returned id fits.
  if (model) return use(model, ids, `Class names from the model's label map ${model.shown}.`);
  if (fitting)
    return use(
      fitting,
      ids,
      ids.length > 0
        ? `Class names from the workspace's label map ${fitting.shown}: the model has no label map of its own, and every class id it returned is in this one.`
        : `The model has no label map of its own: the workspace's label map ${fitting.shown} names its classes if every id it returns is in it.`,
    );
  if (workspace.length > 0) {
    const nearest = workspace[0];
    const missing = idsOutside(new Map(nearest.labels), ids);
    return idsOnly(
      'Class ids are shown: the model has no label map of its own.',
      `Class ids, not names: the model returned ${listClassIds(missing)}, which the workspace's label map ${nearest.shown} lacks, so it is likely another model's label map. Choose the model's label map (a file…) in Labels, or the workspace's if it is right.`,
      missing,
    );
  }
  return idsOnly(
    'No label map: class ids are shown. Put label_map.pbtxt beside the model, or choose a file in Labels.',
  );
}

/**
 * Training progress as stable log lines. The training entrypoint turns whatever the Object
 * Detection API prints (TF1 estimator lines, TF2 loss dictionaries, COCO eval summaries) into
 *
 *   #metric step=<n> <name>=<value> [<name>=<value> ...]
 *
 * and SageMaker's MetricDefinitions (and the extension's chart, reading logs) read those lines
 * with the regexes below. Names never contain spaces or '='.
 */
export const METRIC_LINE_PREFIX = '#metric';

export interface MetricSample {
  readonly step: number;
  readonly values: Readonly<Record<string, number>>;
}

export function formatMetricLine(sample: MetricSample): string {
  const pairs = Object.entries(sample.values)
    .filter(([, value]) => Number.isFinite(value))
    .map(([name, value]) => `${metricName(name)}=${value}`);
  return `${METRIC_LINE_PREFIX} step=${sample.step} ${pairs.join(' ')}`;
}

/** 'Loss/total_loss' -> 'total_loss'; 'DetectionBoxes_Precision/mAP@.50IOU' -> 'eval_mAP@.50IOU'. */
export function metricName(raw: string): string {
  const cleaned = raw.trim().replace(/\s+/g, '_').replace(/=/g, '');
  if (cleaned.startsWith('Loss/')) return cleaned.slice('Loss/'.length);
  if (
    cleaned.startsWith('DetectionBoxes_Precision/') ||
    cleaned.startsWith('DetectionBoxes_Recall/')
  ) {
    return `eval_${cleaned.slice(cleaned.indexOf('/') + 1)}`;
  }
  return cleaned;
}

export function parseMetricLine(line: string): MetricSample | undefined {
  const at = line.indexOf(`${METRIC_LINE_PREFIX} step=`);
  if (at < 0) return undefined;
  const fields = line
    .slice(at + METRIC_LINE_PREFIX.length)
    .trim()
    .split(/\s+/);
  const values: Record<string, number> = {};
  let step: number | undefined;
  for (const field of fields) {
    const eq = field.indexOf('=');
    if (eq <= 0) continue;
    const name = field.slice(0, eq);
    const value = Number(field.slice(eq + 1));
    if (!Number.isFinite(value)) continue;
    if (name === 'step') step = value;
    else values[name] = value;
  }
  return step === undefined ? undefined : { step, values };
}

const NUMBER = '([-+]?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?)';

export interface MetricDefinition {
  readonly Name: string;
  readonly Regex: string;
}

/** The metrics the image reports, as SageMaker MetricDefinitions (at most 40 are allowed). */
export const METRIC_DEFINITIONS: readonly MetricDefinition[] = [
  'total_loss',
  'classification_loss',
  'localization_loss',
  'regularization_loss',
  'learning_rate',
  'eval_mAP',
  'eval_mAP@.50IOU',
  'eval_mAP@.75IOU',
  'eval_AR@100',
].map((name) => ({
  Name: name,
  Regex: `${METRIC_LINE_PREFIX} step=[0-9]+ .*\\b${name.replace(/[.@]/g, (c) => `\\${c}`)}=${NUMBER}`,
}));

/**
 * Reads one line of Object Detection API output and returns the metrics in it, if any.
 * TF1 (estimator): "INFO:tensorflow:loss = 1.23, step = 100 (4.5 sec)";
 * TF1/TF2 eval: "Saving dict for global step 100: DetectionBoxes_Precision/mAP = 0.41, ...";
 * TF2: "Step 100 per-step time 0.5s" then "{'Loss/total_loss': 1.2, 'learning_rate': 0.004, ...}";
 * TF2 eval: "Eval metrics at step 100" then one "\t+ DetectionBoxes_Precision/mAP: 0.41" a line.
 */
export class ObjectDetectionLogReader {
  private lastStep = 0;
  /** TF2 pretty-prints its loss dictionary over several lines; this collects them. */
  private pendingDict: string | undefined;
  private lastSample = '';

  /**
   * The metrics in `line`, once: the API's scripts log each line twice (TensorFlow's own
   * `INFO:tensorflow:` handler and absl's `I1204 ... file.py:705]` one), so a sample equal to the
   * one just read is the same line again.
   */
  read(line: string): MetricSample | undefined {
    const found = this.readLine(line);
    if (!found) return undefined;
    const key = JSON.stringify(found);
    if (key === this.lastSample) return undefined;
    this.lastSample = key;
    return found;
  }

  private readLine(line: string): MetricSample | undefined {
    if (this.pendingDict !== undefined) {
      this.pendingDict += ` ${line}`;
      return line.includes('}') ? this.finishDict() : undefined;
    }
    const tf1 = /\bloss = ([^,\s]+), step = (\d+)/.exec(line);
    if (tf1) {
      this.lastStep = Number(tf1[2]);
      return sample(this.lastStep, { total_loss: Number(tf1[1]) });
    }
    const evaluation = /Saving dict for global step (\d+): (.*)$/.exec(line);
    if (evaluation) {
      const values: Record<string, number> = {};
      for (const pair of (evaluation[2] ?? '').split(', ')) {
        const [name, value] = pair.split(' = ');
        if (name && value !== undefined && /^DetectionBoxes_|^Loss\//.test(name)) {
          values[metricName(name)] = Number(value);
        }
      }
      return sample(Number(evaluation[1]), values);
    }
    const tf2Eval = /\bEval metrics at step (\d+)/.exec(line);
    if (tf2Eval) {
      this.lastStep = Number(tf2Eval[1]);
      return undefined;
    }
    // TF2 eval prints one metric a line: "\t+ DetectionBoxes_Precision/mAP: 0.412".
    const tf2Metric = /^\s*(?:\S+\]\s*)?\+ ((?:DetectionBoxes_|Loss\/)\S+): ([-+0-9.eE]+)\s*$/.exec(
      line.replace(/^.*\] /, ''),
    );
    if (tf2Metric) {
      return sample(this.lastStep, { [metricName(tf2Metric[1] ?? '')]: Number(tf2Metric[2]) });
    }
    const tf2Step = /\bStep (\d+) per-step time/.exec(line);
    if (tf2Step) {
      this.lastStep = Number(tf2Step[1]);
      return undefined;
    }
    const dictStart = line.indexOf("{'Loss/");
    if (dictStart >= 0) {
      this.pendingDict = line.slice(dictStart);
      return line.includes('}', dictStart) ? this.finishDict() : undefined;
    }
    return undefined;
  }

  private finishDict(): MetricSample | undefined {
    const text = this.pendingDict ?? '';
    this.pendingDict = undefined;
    const values: Record<string, number> = {};
    for (const match of text.matchAll(/'([^']+)': (?:<tf\.Tensor: [^>]*?numpy=)?([-+0-9.eE]+)/g)) {
      values[metricName(match[1] ?? '')] = Number(match[2]);
    }
    return sample(this.lastStep, values);
  }
}

function sample(step: number, values: Record<string, number>): MetricSample | undefined {
  const finite = Object.fromEntries(Object.entries(values).filter(([, v]) => Number.isFinite(v)));
  return Object.keys(finite).length ? { step, values: finite } : undefined;
}

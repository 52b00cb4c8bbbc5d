import { request } from 'node:http';

export interface Answer {
  readonly status: number;
  readonly body: { prediction?: number[][]; error?: string; status?: string };
  readonly headers: Record<string, string | string[] | undefined>;
}

/**
 * One HTTP request with node:http (no connection reuse, so every request is independent of the
 * others) that resolves with the status and the parsed JSON body.
 */
export function call(
  base: string,
  method: string,
  path: string,
  body?: Buffer | string,
  headers: Record<string, string | number> = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: Answer['body'] = {};
        try {
          parsed = text ? (JSON.parse(text) as Answer['body']) : {};
        } catch {
          reject(
            new Error(
              `${method} ${path}: ${res.statusCode} with a body that is not JSON: ${text.slice(0, 200)}`,
            ),
          );
          return;
        }
        resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export const postJson = (base: string, value: unknown) =>
  call(base, 'POST', '/invocations', typeof value === 'string' ? value : JSON.stringify(value), {
    'content-type': 'application/json',
  });

export const postImage = (
  base: string,
  bytes: Buffer,
  type = 'image/png',
  extra: Record<string, string> = {},
) => call(base, 'POST', '/invocations', bytes, { 'content-type': type, ...extra });

export const ping = (base: string) => call(base, 'GET', '/ping');

/**
 * An answer's `Server-Timing` header as metric name -> milliseconds; fails the test when the
 * header is missing or a metric has no duration.
 */
export function serverTiming(answer: Answer): Record<string, number> {
  const header = answer.headers['server-timing'];
  if (typeof header !== 'string') throw new Error(`no Server-Timing header (got ${header})`);
  const metrics: Record<string, number> = {};
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.split(';').map((s) => s.trim());
    const dur = params.find((p) => p.startsWith('dur='));
    if (!name || !dur) throw new Error(`Server-Timing metric without a duration: '${part}'`);
    metrics[name] = Number(dur.slice('dur='.length));
  }
  return metrics;
}

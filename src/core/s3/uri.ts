import { UserError } from '../errors';

/** A place in S3: a bucket and a key, or a key prefix ending in '/', or '' for the whole bucket. */
export interface S3Location {
  readonly bucket: string;
  readonly key: string;
}

const EXAMPLE = 's3://my-bucket/training/';

/**
 * The rules S3 gives for new bucket names: 3-63 characters of lowercase letters, digits, dots and
 * hyphens, starting and ending with a letter or digit, not shaped like an IP address.
 * Returns what is wrong, or undefined for a good name.
 */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return `has ${name.length} characters (3 to 63 allowed)`;
  if (/[A-Z]/.test(name)) return 'has uppercase letters (bucket names are lowercase)';
  if (!/^[a-z0-9.-]+$/.test(name))
    return 'may hold only lowercase letters, digits, dots and hyphens';
  if (!/^[a-z0-9].*[a-z0-9]$/.test(name)) return 'must start and end with a letter or digit';
  if (name.includes('..')) return 'has two dots in a row';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return 'is shaped like an IP address';
  return undefined;
}

/**
 * Parses `s3://bucket/key`. Clear errors for the usual slips: a missing scheme, an https URL of
 * the console or of a virtual-hosted endpoint, an ARN, uppercase or otherwise invalid bucket names.
 */
export function parseS3Uri(uri: string): S3Location {
  const text = uri.trim();
  const fail = (why: string, fix = `Write it as ${EXAMPLE}`) =>
    new UserError(`'${uri}' is not an S3 location: ${why}`, fix);
  if (text === '') throw fail('it is empty');
  if (/^arn:aws[a-z-]*:s3:::/.test(text)) {
    const rest = text.replace(/^arn:aws[a-z-]*:s3:::/, '');
    throw fail('it is an ARN', `Use s3://${rest}${rest.includes('/') ? '' : '/'} instead`);
  }
  if (/^https?:\/\//i.test(text)) {
    const hinted = s3UriFromHttpUrl(text);
    throw fail('it is an http(s) URL', hinted ? `Use ${hinted} instead` : `Write it as ${EXAMPLE}`);
  }
  const scheme = /^([a-z0-9+.-]+):\/\//i.exec(text);
  if (!scheme) throw fail("it does not start with 's3://'", `Write it as s3://${text}`);
  if (scheme[1] !== 's3') throw fail(`the scheme is '${scheme[1]}', not 's3'`);
  const rest = text.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const key = slash < 0 ? '' : rest.slice(slash + 1);
  if (bucket === '') throw fail('the bucket name is missing');
  const problem = bucketNameProblem(bucket);
  if (problem) throw fail(`the bucket name '${bucket}' ${problem}`);
  if (key.startsWith('/') || key.includes('//'))
    throw fail('the key has an empty folder name (//)', 'Remove the doubled slash');
  return { bucket, key };
}

/** Parses a prefix ("folder"): the key always ends in '/' unless it is the whole bucket. */
export function parseS3Prefix(uri: string): S3Location {
  const { bucket, key } = parseS3Uri(uri);
  return { bucket, key: key === '' || key.endsWith('/') ? key : `${key}/` };
}

export function formatS3Uri(location: S3Location): string {
  return `s3://${location.bucket}/${location.key}`;
}

/** Joins a prefix and a relative '/'-separated path into a key. */
export function joinKey(prefix: string, relative: string): string {
  const head = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
  return `${head}${relative.replace(/^\/+/, '')}`;
}

/** https://bucket.s3.region.amazonaws.com/key or https://s3.region.amazonaws.com/bucket/key. */
function s3UriFromHttpUrl(text: string): string | undefined {
  try {
    const url = new URL(text);
    const path = decodeURIComponent(url.pathname.replace(/^\//, ''));
    const hosted = /^(.+)\.s3[.-]([a-z0-9-]+\.)?amazonaws\.com(\.cn)?$/.exec(url.hostname);
    if (hosted) return `s3://${hosted[1]}/${path}`;
    if (/^s3[.-]([a-z0-9-]+\.)?amazonaws\.com(\.cn)?$/.test(url.hostname) && path)
      return `s3://${path}`;
    if (url.hostname.endsWith('console.aws.amazon.com')) {
      const match = /\/s3\/buckets\/([^/?]+)/.exec(url.pathname);
      const prefix = url.searchParams.get('prefix') ?? '';
      if (match) return `s3://${match[1]}/${prefix}`;
    }
  } catch {
    // not a URL after all: fall through to the generic advice
  }
  return undefined;
}

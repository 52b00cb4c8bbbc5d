import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The named profiles in the user's shared AWS files, for a picker. Only section names and a few
 * harmless keys (region, whether SSO is used) are read; secrets are never returned.
 */
export interface AwsProfile {
  readonly name: string;
  readonly region?: string;
  /** Signs in with IAM Identity Center (`aws sso login`). */
  readonly sso: boolean;
  /** Where the profile is defined. */
  readonly sources: readonly ('config' | 'credentials')[];
}

export function sharedFilePaths(env: NodeJS.ProcessEnv = process.env): {
  config: string;
  credentials: string;
} {
  const home = env.HOME || env.USERPROFILE || homedir();
  return {
    config: env.AWS_CONFIG_FILE || join(home, '.aws', 'config'),
    credentials: env.AWS_SHARED_CREDENTIALS_FILE || join(home, '.aws', 'credentials'),
  };
}

interface Section {
  name: string;
  keys: Map<string, string>;
}

/** INI sections as the AWS CLI reads them: `[profile x]` in config (plain `[default]`), `[x]` in credentials. */
export function parseSharedFile(text: string, kind: 'config' | 'credentials'): Section[] {
  const sections: Section[] = [];
  let current: Section | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[\s*([^\]]+?)\s*\]$/.exec(line);
    if (header) {
      const title = header[1] ?? '';
      let name: string | undefined;
      if (kind === 'credentials') name = title;
      else if (title === 'default') name = 'default';
      else if (title.startsWith('profile ')) name = title.slice('profile '.length).trim();
      // Other config sections ([sso-session x], [services x]) are not profiles.
      current = name ? { name, keys: new Map() } : undefined;
      if (current) sections.push(current);
      continue;
    }
    const pair = /^([A-Za-z0-9_.-]+)\s*=\s*(.*)$/.exec(line);
    if (current && pair && !raw.startsWith(' ') && !raw.startsWith('\t'))
      current.keys.set(pair[1]!.toLowerCase(), pair[2] ?? '');
  }
  return sections;
}

export async function listProfiles(env: NodeJS.ProcessEnv = process.env): Promise<AwsProfile[]> {
  const paths = sharedFilePaths(env);
  const byName = new Map<
    string,
    { region?: string; sso: boolean; sources: Set<'config' | 'credentials'> }
  >();
  for (const kind of ['config', 'credentials'] as const) {
    let text: string;
    try {
      text = await readFile(paths[kind], 'utf8');
    } catch {
      continue;
    }
    for (const section of parseSharedFile(text, kind)) {
      const entry = byName.get(section.name) ?? { sso: false, sources: new Set() };
      entry.sources.add(kind);
      const region = section.keys.get('region');
      if (region && !entry.region) entry.region = region;
      if (section.keys.has('sso_session') || section.keys.has('sso_start_url')) entry.sso = true;
      byName.set(section.name, entry);
    }
  }
  return [...byName.entries()]
    .map(([name, e]) => ({
      name,
      sso: e.sso,
      sources: [...e.sources].sort(),
      ...(e.region ? { region: e.region } : {}),
    }))
    .sort((a, b) =>
      a.name === 'default' ? -1 : b.name === 'default' ? 1 : a.name.localeCompare(b.name),
    );
}

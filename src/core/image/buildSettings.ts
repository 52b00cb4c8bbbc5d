import { isAbsolute, resolve } from 'node:path';
import { UserError } from '../errors';

/**
 * What Build Training Image needs on a network where the defaults cannot be fetched (no Docker
 * Hub, a mirror of the base image, a proxy that intercepts TLS): the settings
 * `tfod.image.buildArgs` and `tfod.image.caCertificates`, the palette's twins of
 * `tfod build --build-arg` and `--ca-certificates`.
 */
export interface ImageBuildSettings {
  /** Dockerfile build arguments applied over the ARCHITECTURE's own (BASE_IMAGE, NODE_SOURCE, ...). */
  readonly buildArgs: Readonly<Record<string, string>>;
  /** Absolute paths of PEM files the build trusts. */
  readonly caCertificates: readonly string[];
}

const BUILD_ARG_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const BUILD_ARGS = 'tfod.image.buildArgs';
const CA_CERTIFICATES = 'tfod.image.caCertificates';

/**
 * The two settings' values (as read, any JSON) checked and resolved: a relative certificate path
 * is relative to `base` (the workspace folder). A wrong value is a UserError naming the setting.
 */
export function imageBuildSettings(
  values: { readonly buildArgs?: unknown; readonly caCertificates?: unknown },
  base: string | undefined,
): ImageBuildSettings {
  return {
    buildArgs: buildArgsOf(values.buildArgs ?? {}),
    caCertificates: certificatesOf(values.caCertificates ?? [], base),
  };
}

function buildArgsOf(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new UserError(
      `the setting ${BUILD_ARGS} is not an object of build arguments`,
      `Write it as { "NAME": "value" }, e.g. "${BUILD_ARGS}": { "BASE_IMAGE": "mirror.example.com/tensorflow/tensorflow:2.9.1" }`,
    );
  const args: Record<string, string> = {};
  for (const [name, arg] of Object.entries(value)) {
    if (!BUILD_ARG_NAME.test(name))
      throw new UserError(
        `'${name}' in the setting ${BUILD_ARGS} is not a build argument name`,
        'Use the Dockerfile ARG names (letters, digits and _), e.g. BASE_IMAGE, NODE_SOURCE, TFJS_NATIVE',
      );
    if (name === 'ARCHITECTURE')
      throw new UserError(
        `the setting ${BUILD_ARGS} sets ARCHITECTURE, which Build Training Image asks for`,
        `Remove ARCHITECTURE from ${BUILD_ARGS} and pick the architecture in the build's first step`,
      );
    if (typeof arg !== 'string')
      throw new UserError(
        `${name} in the setting ${BUILD_ARGS} is ${arg === null ? 'null' : `a ${typeof arg}`}, not a string`,
        `Put the value in quotes, e.g. "${name}": "${String(arg)}"`,
      );
    args[name] = arg;
  }
  return args;
}

function certificatesOf(value: unknown, base: string | undefined): string[] {
  if (!Array.isArray(value) || value.some((path) => typeof path !== 'string' || !path.trim()))
    throw new UserError(
      `the setting ${CA_CERTIFICATES} is not a list of file paths`,
      `Write it as a list of PEM files, e.g. "${CA_CERTIFICATES}": ["/etc/ssl/certs/ca-certificates.crt"]`,
    );
  return (value as string[]).map((path) => {
    const trimmed = path.trim();
    if (isAbsolute(trimmed)) return trimmed;
    if (!base)
      throw new UserError(
        `${trimmed} in the setting ${CA_CERTIFICATES} is a relative path, and no folder is open`,
        'Give the absolute path of the PEM file, or open the folder it is relative to',
      );
    return resolve(base, trimmed);
  });
}

/** The settings in one line for the log: `BASE_IMAGE=x NODE_SOURCE=npm, 1 CA file`. */
export function describeImageBuildSettings(settings: ImageBuildSettings): string {
  const args = Object.entries(settings.buildArgs).map(([name, value]) => `${name}=${value}`);
  const files = settings.caCertificates.length;
  return [
    args.length ? args.join(' ') : 'no build arguments',
    files ? `${files} certificate file${files === 1 ? '' : 's'}` : 'no certificate files',
  ].join(', ');
}

// Protobuf name scoping. A reference such as `Hyperparams` or `Ssd.Nested` written inside the
// message `a.b.Outer` is looked up in `a.b.Outer`, then `a.b`, then `a`, then the root; a leading
// dot makes it absolute. As in protoc, when the first component of a dotted name is found as a type
// in some scope, the rest must resolve inside that type: outer scopes are not searched further.

/** `a.b` + `C` -> `a.b.C`; an empty scope is the root. */
export function joinName(scope: string, name: string): string {
  return scope === '' ? name : `${scope}.${name}`;
}

/** The enclosing scope of a full name: `a.b.C` -> `a.b`; `C` -> ``. */
export function parentScope(fullName: string): string {
  const dot = fullName.lastIndexOf('.');
  return dot < 0 ? '' : fullName.slice(0, dot);
}

/**
 * The full name (no leading dot) that `name`, written inside `scope`, refers to, or undefined.
 * `exists` says whether a full name is a declared type.
 */
export function resolveTypeName(
  name: string,
  scope: string,
  exists: (fullName: string) => boolean,
): string | undefined {
  if (name.startsWith('.')) {
    const full = name.slice(1);
    return exists(full) ? full : undefined;
  }
  const first = name.split('.', 1)[0] as string;
  let current: string | undefined = scope;
  while (current !== undefined) {
    const full = joinName(current, name);
    if (exists(full)) return full;
    if (first !== name && exists(joinName(current, first))) return undefined;
    current = current === '' ? undefined : parentScope(current);
  }
  return undefined;
}

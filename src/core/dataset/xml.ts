/**
 * Just enough XML for annotation files (Pascal VOC from LabelImg, CVAT and others): elements,
 * text, the five entities and numeric references, CDATA, comments, processing instructions and
 * a DOCTYPE skipped; attributes are not kept. Never throws: a malformed file gives what was read
 * and an error message.
 */
export interface XmlElement {
  readonly name: string;
  readonly children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);/g, (whole, body: string) => {
    if (body.startsWith('#x')) return String.fromCodePoint(parseInt(body.slice(2), 16));
    if (body.startsWith('#')) return String.fromCodePoint(parseInt(body.slice(1), 10));
    return ENTITIES[body] ?? whole;
  });
}

export function parseXml(source: string): { root?: XmlElement; error?: string } {
  const top: XmlElement = { name: '#document', children: [], text: '' };
  const stack: XmlElement[] = [top];
  let at = 0;
  const fail = (why: string) => ({
    ...(top.children[0] ? { root: top.children[0] } : {}),
    error: why,
  });
  while (at < source.length) {
    const lt = source.indexOf('<', at);
    const current = stack[stack.length - 1] as XmlElement;
    if (lt < 0) {
      current.text += decodeEntities(source.slice(at));
      break;
    }
    if (lt > at) current.text += decodeEntities(source.slice(at, lt));
    if (source.startsWith('<!--', lt)) {
      const end = source.indexOf('-->', lt + 4);
      if (end < 0) return fail('a comment is not closed');
      at = end + 3;
    } else if (source.startsWith('<![CDATA[', lt)) {
      const end = source.indexOf(']]>', lt + 9);
      if (end < 0) return fail('a CDATA section is not closed');
      current.text += source.slice(lt + 9, end);
      at = end + 3;
    } else if (source.startsWith('<?', lt) || source.startsWith('<!', lt)) {
      const end = source.indexOf('>', lt);
      if (end < 0) return fail('a declaration is not closed');
      at = end + 1;
    } else {
      const end = source.indexOf('>', lt);
      if (end < 0) return fail('a tag is not closed');
      const tag = source.slice(lt + 1, end);
      at = end + 1;
      if (tag.startsWith('/')) {
        const name = tag.slice(1).trim();
        if (current.name !== name) return fail(`</${name}> closes <${current.name}>`);
        stack.pop();
      } else {
        const selfClosing = tag.endsWith('/');
        const name = (/^[^\s/]+/.exec(tag)?.[0] ?? '').trim();
        if (!name) return fail('a tag has no name');
        const element: XmlElement = { name, children: [], text: '' };
        current.children.push(element);
        if (!selfClosing) stack.push(element);
      }
    }
  }
  if (stack.length > 1)
    return fail(`<${(stack[stack.length - 1] as XmlElement).name}> is not closed`);
  const root = top.children[0];
  return root ? { root } : { error: 'no element' };
}

export function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return element?.children.find((c) => c.name === name);
}

export function childText(element: XmlElement | undefined, name: string): string | undefined {
  const found = child(element, name);
  return found ? found.text.trim() : undefined;
}

// A viewer's page of records (page.ts reads it); no Node types here: the webview imports these.

export interface RecordPageObject {
  readonly xmin: number;
  readonly ymin: number;
  readonly xmax: number;
  readonly ymax: number;
  readonly label?: number;
  /** The label map's name for the id, else the record's class/text. */
  readonly name?: string;
}

export interface RecordPageItem {
  readonly index: number;
  readonly offset: number;
  readonly filename?: string;
  readonly width?: number;
  readonly height?: number;
  /** The image, when it is a JPEG or PNG a browser can show. */
  readonly image?: { readonly mime: 'image/jpeg' | 'image/png'; readonly base64: string };
  readonly objects: readonly RecordPageObject[];
  readonly problems: readonly string[];
}

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

// Annotation sets in the real-world variants of each format, and their images, generated here.
// Each fixture also returns what the records must hold: per image file name, the boxes normalised
// by the image's size and the class names, in annotation order.

export interface ExpectedImage {
  readonly width: number;
  readonly height: number;
  readonly boxes: readonly {
    name: string;
    xmin: number;
    ymin: number;
    xmax: number;
    ymax: number;
    difficult?: boolean;
  }[];
}
export type Expected = Record<string, ExpectedImage>;

function write(path: string, data: string | Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
}

/** A JPEG whose pixels depend on `seed`, so no two fixtures are the same bytes. */
export function jpegImage(width: number, height: number, seed = 0): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    data[i * 4] = (i * 7 + seed * 31) & 255;
    data[i * 4 + 1] = (i * 3 + seed * 17) & 255;
    data[i * 4 + 2] = (seed * 53) & 255;
    data[i * 4 + 3] = 255;
  }
  return jpeg.encode({ data, width, height }, 85).data;
}

/** The same JPEG with an APP1 Exif segment holding an orientation tag. */
export function withOrientation(image: Buffer, orientation: number): Buffer {
  const tiff = Buffer.alloc(26);
  tiff.write('II*\0', 0, 'latin1');
  tiff.writeUInt32LE(8, 4);
  tiff.writeUInt16LE(1, 8);
  tiff.writeUInt16LE(0x0112, 10);
  tiff.writeUInt16LE(3, 12);
  tiff.writeUInt32LE(1, 14);
  tiff.writeUInt16LE(orientation, 18);
  tiff.writeUInt32LE(0, 22);
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const segment = Buffer.alloc(4);
  segment.writeUInt16BE(0xffe1, 0);
  segment.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([image.subarray(0, 2), segment, payload, image.subarray(2)]);
}

export function grayPng(width: number, height: number): Buffer {
  const png = new PNG({ width, height, colorType: 0, inputColorType: 0, inputHasAlpha: false });
  for (let i = 0; i < width * height; i++) png.data[i] = (i * 5) & 255;
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false });
}

/** An 8-bit palette PNG (colour type 3), built chunk by chunk (pngjs writes none). */
export function palettePng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 3;
  const palette = Buffer.from([255, 0, 0, 0, 255, 0, 0, 0, 255]);
  const rows = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) rows[y * (width + 1) + 1 + x] = (x + y) % 3;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('PLTE', palette),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const norm = (
  w: number,
  h: number,
  name: string,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  difficult?: boolean,
) => ({
  name,
  xmin: x0 / w,
  ymin: y0 / h,
  xmax: x1 / w,
  ymax: y1 / h,
  ...(difficult !== undefined ? { difficult } : {}),
});

/**
 * Pascal VOC as LabelImg writes it (size, integer boxes, difficult), as CVAT writes it (decimal
 * boxes, truncated, occluded, an attributes block), and one without `<size>`, in the VOC devkit
 * layout (Annotations/ + JPEGImages/).
 */
export function vocFixture(root: string): Expected {
  write(join(root, 'JPEGImages', 'labelimg.jpg'), jpegImage(64, 48, 1));
  write(join(root, 'JPEGImages', 'cvat.jpg'), jpegImage(80, 60, 2));
  write(join(root, 'JPEGImages', 'nosize.png'), grayPng(40, 30));
  write(
    join(root, 'Annotations', 'labelimg.xml'),
    `<annotation>\n\t<folder>JPEGImages</folder>\n\t<filename>labelimg.jpg</filename>\n\t<path>/home/someone/JPEGImages/labelimg.jpg</path>\n\t<source>\n\t\t<database>Unknown</database>\n\t</source>\n\t<size>\n\t\t<width>64</width>\n\t\t<height>48</height>\n\t\t<depth>3</depth>\n\t</size>\n\t<segmented>0</segmented>\n\t<object>\n\t\t<name>cat</name>\n\t\t<pose>Unspecified</pose>\n\t\t<truncated>0</truncated>\n\t\t<difficult>1</difficult>\n\t\t<bndbox>\n\t\t\t<xmin>8</xmin>\n\t\t\t<ymin>4</ymin>\n\t\t\t<xmax>40</xmax>\n\t\t\t<ymax>44</ymax>\n\t\t</bndbox>\n\t</object>\n\t<object>\n\t\t<name>dog &amp; co</name>\n\t\t<pose>Left</pose>\n\t\t<truncated>1</truncated>\n\t\t<difficult>0</difficult>\n\t\t<bndbox>\n\t\t\t<xmin>32</xmin>\n\t\t\t<ymin>0</ymin>\n\t\t\t<xmax>64</xmax>\n\t\t\t<ymax>24</ymax>\n\t\t</bndbox>\n\t</object>\n</annotation>\n`,
  );
  write(
    join(root, 'Annotations', 'cvat.xml'),
    `<?xml version="1.0" encoding="utf-8"?>\n<annotation>\n  <folder></folder>\n  <filename>cvat.jpg</filename>\n  <source><database>Unknown</database><annotation>Unknown</annotation><image>Unknown</image></source>\n  <size><width>80</width><height>60</height><depth></depth></size>\n  <segmented>0</segmented>\n  <object>\n    <name>cat</name>\n    <occluded>0</occluded>\n    <bndbox><xmin>10.5</xmin><ymin>12.25</ymin><xmax>50.75</xmax><ymax>59.5</ymax></bndbox>\n    <attributes><attribute><name>rotation</name><value>0.0</value></attribute></attributes>\n  </object>\n</annotation>\n`,
  );
  write(
    join(root, 'Annotations', 'nosize.xml'),
    `<annotation><filename>nosize.png</filename><object><name>dog &amp; co</name><difficult>0</difficult><bndbox><xmin>4</xmin><ymin>3</ymin><xmax>20</xmax><ymax>15</ymax></bndbox></object></annotation>`,
  );
  return {
    'labelimg.jpg': {
      width: 64,
      height: 48,
      boxes: [
        norm(64, 48, 'cat', 8, 4, 40, 44, true),
        norm(64, 48, 'dog & co', 32, 0, 64, 24, false),
      ],
    },
    'cvat.jpg': { width: 80, height: 60, boxes: [norm(80, 60, 'cat', 10.5, 12.25, 50.75, 59.5)] },
    'nosize.png': { width: 40, height: 30, boxes: [norm(40, 30, 'dog & co', 4, 3, 20, 15, false)] },
  };
}

/** COCO instances with category ids starting at 0 and with a gap, iscrowd, and an image without annotations. */
export function cocoFixture(root: string): { json: string; expected: Expected } {
  write(join(root, 'images', 'a.jpg'), jpegImage(100, 50, 3));
  write(join(root, 'images', 'b.png'), palettePng(30, 20));
  write(join(root, 'images', 'c.jpg'), jpegImage(20, 20, 4));
  const json = join(root, 'instances_train.json');
  write(
    json,
    JSON.stringify({
      info: { description: 'generated' },
      images: [
        { id: 10, file_name: 'a.jpg', width: 100, height: 50 },
        { id: 11, file_name: 'b.png', width: 30, height: 20 },
        { id: 12, file_name: 'c.jpg', width: 20, height: 20 },
      ],
      categories: [
        { id: 7, name: 'bird', supercategory: 'animal' },
        { id: 0, name: 'cat', supercategory: 'animal' },
        { id: 5, name: 'dog', supercategory: 'animal' },
      ],
      annotations: [
        { id: 1, image_id: 10, category_id: 0, bbox: [10, 5, 30, 20], area: 600, iscrowd: 0 },
        {
          id: 2,
          image_id: 10,
          category_id: 7,
          bbox: [50.5, 10, 40, 30.25],
          area: 1210,
          iscrowd: 1,
          segmentation: { counts: [1, 2], size: [50, 100] },
        },
        { id: 3, image_id: 11, category_id: 5, bbox: [0, 0, 15, 10], area: 150, iscrowd: 0 },
      ],
    }),
  );
  return {
    json,
    expected: {
      'a.jpg': {
        width: 100,
        height: 50,
        boxes: [
          norm(100, 50, 'cat', 10, 5, 40, 25, false),
          norm(100, 50, 'bird', 50.5, 10, 90.5, 40.25, true),
        ],
      },
      'b.png': { width: 30, height: 20, boxes: [norm(30, 20, 'dog', 0, 0, 15, 10)] },
      'c.jpg': { width: 20, height: 20, boxes: [] },
    },
  };
}

/** The tutorials' CSV, saved on Windows (CRLF, a byte-order mark) with quoted names and rows of one image apart. */
export function csvFixture(root: string): { csv: string; expected: Expected } {
  write(join(root, 'img, "one".jpg'), jpegImage(50, 40, 5));
  write(join(root, 'two.jpg'), jpegImage(60, 30, 6));
  const csv = join(root, 'train_labels.csv');
  write(
    csv,
    '\ufefffilename,width,height,class,xmin,ymin,xmax,ymax\r\n' +
      '"img, ""one"".jpg",50,40,"traffic light",5,4,25,20\r\n' +
      'two.jpg,60,30,car,0,0,30,15\r\n' +
      '"img, ""one"".jpg",50,40,car,25,20,50,40\r\n',
  );
  return {
    csv,
    expected: {
      'img, "one".jpg': {
        width: 50,
        height: 40,
        boxes: [norm(50, 40, 'traffic light', 5, 4, 25, 20), norm(50, 40, 'car', 25, 20, 50, 40)],
      },
      'two.jpg': { width: 60, height: 30, boxes: [norm(60, 30, 'car', 0, 0, 30, 15)] },
    },
  };
}

/** YOLO in the images/ + labels/ split layout with a data.yaml whose names are an index map. */
export function yoloFixture(root: string): Expected {
  write(
    join(root, 'data.yaml'),
    "path: .\ntrain: images/train\nval: images/val\nnc: 2\nnames:\n  0: person  # people\n  1: 'stop sign'\n",
  );
  write(join(root, 'images', 'train', 'p.jpg'), jpegImage(64, 32, 7));
  write(join(root, 'labels', 'train', 'p.txt'), '0 0.5 0.5 0.25 0.5\n1 0.125 0.25 0.25 0.5\n');
  write(join(root, 'images', 'val', 'q.png'), grayPng(16, 16));
  write(join(root, 'labels', 'val', 'q.txt'), '1 0.5 0.5 1 1\r\n');
  return {
    'images/train/p.jpg': {
      width: 64,
      height: 32,
      boxes: [
        { name: 'person', xmin: 0.375, ymin: 0.25, xmax: 0.625, ymax: 0.75 },
        { name: 'stop sign', xmin: 0, ymin: 0, xmax: 0.25, ymax: 0.5 },
      ],
    },
    'images/val/q.png': {
      width: 16,
      height: 16,
      boxes: [{ name: 'stop sign', xmin: 0, ymin: 0, xmax: 1, ymax: 1 }],
    },
  };
}

/** YOLO as darknet / CVAT export it: obj.names and obj_train_data/ with labels beside the images. */
export function darknetFixture(root: string): Expected {
  write(join(root, 'obj.names'), 'cat\ndog\n');
  write(join(root, 'obj.data'), 'classes = 2\nnames = obj.names\n');
  write(join(root, 'train.txt'), 'obj_train_data/d.jpg\n');
  write(join(root, 'obj_train_data', 'd.jpg'), jpegImage(40, 40, 8));
  write(join(root, 'obj_train_data', 'd.txt'), '1 0.5 0.5 0.5 0.5\n');
  return {
    'obj_train_data/d.jpg': {
      width: 40,
      height: 40,
      boxes: [{ name: 'dog', xmin: 0.25, ymin: 0.25, xmax: 0.75, ymax: 0.75 }],
    },
  };
}

// A v6 page is a log of blocks (rm-format.md §5.1): u32 length, u8 reserved, u8 min version,
// u8 current version, u8 type, then `length` bytes of tagged fields. We always jump to the block's
// end whatever was read, so unknown fields and block types from newer firmware are skipped.

import { ByteReader } from "../bytes.ts";
import { RmFormatError } from "../errors.ts";
import { DEVICES, type Device, type Page, type PageStats, type TextDoc } from "../model.ts";
import { readItem } from "./items.ts";
import { readRootText } from "./root-text.ts";
import { SceneBuilder } from "./scene.ts";
import { buildText } from "./text.ts";
import { readSceneInfo, readSceneTree, readTreeNode } from "./tree.ts";

export const HEADER_LENGTH = 43;

export interface V6Options {
  /** Keep going after a bad block (recording it in page.warnings) instead of throwing. */
  lenient?: boolean;
}

export function parseV6(bytes: Uint8Array, file: string, opts: V6Options = {}): Page {
  const r = new ByteReader(bytes, file, HEADER_LENGTH);
  const scene = new SceneBuilder();
  const stats: PageStats = { blocks: 0, unknownBlocks: 0, deletedItems: 0, skippedBytes: 0 };
  const warnings: string[] = [];
  let text: TextDoc | undefined;
  let paper: { width: number; height: number } | undefined;

  while (r.remaining > 0) {
    const blockStart = r.pos;
    if (r.remaining < 8) {
      fail(new RmFormatError("truncated", file, blockStart, "an 8-byte block header", `${r.remaining} stray bytes at end of file`));
      break;
    }
    const length = r.u32("block length");
    r.u8("block reserved byte");
    r.u8("block min version");
    const version = r.u8("block current version");
    const type = r.u8("block type");
    if (length > r.remaining) {
      fail(new RmFormatError("truncated", file, blockStart, `a block of ${length} bytes (type 0x${type.toString(16)})`, `only ${r.remaining} bytes left in file`));
      break;
    }
    stats.blocks++;
    const region = r.enter(length, "block body");
    try {
      switch (type) {
        case 0x01: {
          const t = readSceneTree(r);
          scene.declareGroup(t.treeId);
          break;
        }
        case 0x02:
          scene.setNode(readTreeNode(r));
          break;
        case 0x03:
        case 0x04:
        case 0x05:
        case 0x06:
        case 0x08: {
          const item = readItem(r, type, version);
          stats.skippedBytes += item.skipped;
          scene.addItem(item);
          break;
        }
        case 0x07:
          text = buildText(readRootText(r));
          break;
        case 0x0d:
          paper = readSceneInfo(r).paperSize ?? paper;
          break;
        case 0x00: // MigrationInfo
        case 0x09: // AuthorIds
        case 0x0a: // PageInfo
          r.pos = r.end;
          break;
        default:
          stats.unknownBlocks++;
          r.pos = r.end;
      }
    } catch (e) {
      if (!(e instanceof RmFormatError)) throw e;
      fail(e);
    } finally {
      stats.skippedBytes += r.leave(region);
    }
  }

  stats.deletedItems = scene.deletedItems;
  const device = deviceFor(paper);
  const size = paper && paper.width > 0 && paper.height > 0 ? paper : DEVICES[device];
  const page: Page = {
    version: 6,
    frame: "centered",
    box: { x: -size.width / 2, y: 0, w: size.width, h: size.height },
    device,
    layers: scene.layers(),
    stats,
  };
  if (text) page.text = text;
  if (warnings.length > 0) page.warnings = warnings;
  return page;

  function fail(e: RmFormatError): void {
    if (!opts.lenient) throw e;
    warnings.push(e.message);
  }
}

function deviceFor(paper: { width: number; height: number } | undefined): Device {
  if (!paper) return "rm2";
  if (paper.width === DEVICES.rmpp.width) return "rmpp";
  if (paper.width === DEVICES.rmppm.width) return "rmppm";
  return "rm2";
}

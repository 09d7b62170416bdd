// The version of the thumbnail drawing (png.ts renderThumbnail, thumb-png.ts): part of every
// thumbnail's cache key and URL, so a change to the drawing reaches browsers that cached the old
// images forever. Bump it whenever thumbnails would come out different.
export const THUMB_RENDERER = 1;

/** Long edge of a thumbnail in pixels (about 190 × 256 for a portrait page). */
export const THUMB_LONG_EDGE = 256;

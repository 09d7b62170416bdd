// Type of the text import (`with { type: "text" }`) in src/server/routes/dashboard/assets.ts.
declare const text: string;
export default text;

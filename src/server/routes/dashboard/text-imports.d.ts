// Text imports of stylesheets (`with { type: "text" }`).
declare module "*.css" {
  const text: string;
  export default text;
}

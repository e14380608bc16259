// Pagefind's own search (the edition's pagefind/pagefind.js) run in Node over the files of a
// static edition, for tests/webapp/test_static_edition.py: node pagefind_search.mjs DIR WORDS
// LANG prints the first results in that language's index as JSON ([{url, title}]). The browser
// fetches the index's files and reads the page's <html lang>; here fetch reads the files from
// the folder (file: URLs only, so no server is needed) and a stub document names LANG.
import { readFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";

const [folder, term, lang] = process.argv.slice(2);
globalThis.document = { currentScript: null, querySelector: () => ({ getAttribute: () => lang }) };
globalThis.fetch = async (url) => {
  const address = new URL(url);
  if (address.protocol !== "file:") {
    throw new Error(`only files of the edition are read, not ${url}`);
  }
  return new Response(await readFile(address));
};
const base = pathToFileURL(`${folder}/pagefind/`).href;
const pagefind = await import(`${base}pagefind.js`);
await pagefind.options({ basePath: base, baseUrl: "/" });
const search = await pagefind.search(term);
const data = await Promise.all(search.results.slice(0, 10).map((r) => r.data()));
console.log(JSON.stringify(data.map((d) => ({ url: d.url, title: d.meta.title }))));

import { DOMParser, type Document, type Element } from "@xmldom/xmldom";

/** Parses an SVG (or XHTML) string strictly: any well-formedness error throws. */
export function parseXml(text: string, mime: "image/svg+xml" | "text/xml" = "image/svg+xml"): Document {
  return new DOMParser({ onError: (level, msg) => { if (level !== "warning") throw new Error(`XML ${level}: ${msg}`); } }).parseFromString(text, mime);
}

/** Elements with the tag, optionally inside the <g> whose class contains `inClass`. */
export function elements(doc: Document, tag: string, inClass?: string): Element[] {
  const all = [...doc.getElementsByTagName(tag)];
  if (inClass === undefined) return all;
  return all.filter((e) => {
    for (let p = e.parentNode as Element | null; p !== null && p.nodeType === 1; p = p.parentNode as Element | null) {
      if ((p.getAttribute("class") ?? "").split(" ").includes(inClass)) return true;
    }
    return false;
  });
}

"""What a captured set is: its index, and how a click's target is named.

Shared by the capture that writes the set and by the sandbox that serves it back
(``Sandbox.from_capture(folder)``). What the set holds (``capture.json`` indexes it):

- ``documents``: each page in the order it was shown: the request (method, address) that
  brought it, its HTML file and, for a page the site left on its own (a redirection, a page
  that reloads itself), where it went;
- ``states``: the page after a click that changed it in place, with the click's target (its
  visible name and the name of the group, dialog or card it is in);
- ``transitions``: which click leads from one state to another, or to another page.
"""

from __future__ import annotations

__all__ = ["DESCRIBE_JS", "FORMAT", "MANIFEST"]

MANIFEST = "capture.json"
FORMAT = 1

# How a click's target is named, the same way when capturing and when serving back: the
# element a person means (the button, not the icon inside it), its visible name, and the name
# of the card, dialog or group around it (two banks' « M'authentifier » are two targets).
DESCRIBE_JS = r"""
const lacInteractive = "a[href], button, input, select, textarea, summary, label, [role=button], " +
  "[role=link], [role=menuitem], [role=tab], [role=option], [role=radio], [role=checkbox], " +
  "[onclick], [tabindex]";
const lacText = (s) => (s || "").replace(/\s+/g, " ").trim();
const lacFold = (s) => lacText(s).normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
  .replace(/[’‘ʼ`´]/g, "'").toLowerCase();
function lacDescribe(node) {
  const el = node && node.closest ? node.closest(lacInteractive) : null;
  if (!el) return null;
  const name = lacText(el.getAttribute("aria-label")) || lacText(el.innerText) ||
    lacText(el.value) || lacText(el.getAttribute("title"));
  const box = el.parentElement && el.parentElement.closest(
    "[role=dialog], dialog, [role=group], [role=region], [role=listitem], li, tr, fieldset, form");
  let context = "";
  if (box) {
    const by = box.getAttribute("aria-labelledby");
    context = by ? lacText(by.split(/\s+/).map((id) => {
      const named = document.getElementById(id);
      return named ? named.textContent : "";
    }).join(" ")) : lacText(box.getAttribute("aria-label"));
  }
  const href = el.matches("a[href]") ? (el.getAttribute("href") || "") : "";
  const type = (el.getAttribute("type") || (el.matches("button") ? "submit" : "")).toLowerCase();
  const submits = el.form && el.matches("button, input") && ["submit", "image"].includes(type);
  const leaves = (href !== "" && !/^(#|javascript:)/i.test(href)) || Boolean(submits);
  const native = leaves ||
    el.matches("summary, label, select, textarea, input:not([type=button])");
  return {name: name.slice(0, 200), context: context.slice(0, 200), native, leaves};
}
"""

"""Capturing real pages: the browser recording (`_record`), the scrubber that keeps no personal
data (`_patterns`, `_scrub`, `_html`), the set's writer and format (`_write`, `_format`) and the
command (`_command`). The sandbox (`linxo_assoconnect.testing`) serves a captured set back; this
package imports only the core."""

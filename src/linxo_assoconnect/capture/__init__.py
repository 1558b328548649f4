"""Capturing real pages: the browser session, the scrubber that keeps no personal data, and
the captured site served back."""

"""The progress line of ``refimpl report``: cases done / total per framework."""

from __future__ import annotations

import sys


class Progress:
    """Cases done / total per framework during ``run``, one line redrawn in place.

    Quiet unless the stream is a terminal (``enabled=None``), so logs and CI output stay
    clean. Totals are the profile's examples per job; hypothesis may draw fewer where a
    domain is small, so a count can end below its total.
    """

    def __init__(self, stream=None, enabled: bool | None = None):
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.jobs = self.total_jobs = 0
        self.done, self.total, self.bad = {}, {}, {}

    def start(self, totals: dict, jobs: int):
        self.total, self.total_jobs = dict(totals), jobs
        self.done = {fw: 0 for fw in totals}
        self.bad = {fw: 0 for fw in totals}

    def job_done(self, rows: dict, what: str = ""):
        self.jobs += 1
        for (_name, fw, _dtype, _check), row in rows.items():
            self.done[fw] = self.done.get(fw, 0) + sum(row.counts.values())
            self.bad[fw] = self.bad.get(fw, 0) + row.counts.get("fail", 0) + row.counts.get("error", 0)
        self._show(what)

    def note(self, what: str):
        self._show(what)

    def line(self, what: str = "") -> str:
        fws = " · ".join(f"{fw} {self.done[fw]}/{self.total[fw]}"
                         + (f" ({self.bad[fw]} failing)" if self.bad[fw] else "")
                         for fw in self.total)
        return f"[{self.jobs}/{self.total_jobs} jobs] cases: {fws}" + (f" | {what}" if what else "")

    def _show(self, what):
        if self.enabled:
            self.stream.write("\r\x1b[2K" + self.line(what)[:200])
            self.stream.flush()

    def finish(self):
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()

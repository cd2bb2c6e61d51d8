"""Read the figures a page shows: the text of every element marked ``data-figure``, in page order."""

from __future__ import annotations

from html.parser import HTMLParser


class _Figures(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, list[str]] = {}
        self._open: list[tuple[str, str | None, list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open.append((tag, dict(attrs).get("data-figure"), []))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            name, figure, text = self._open.pop()
            if figure is not None:
                self.found.setdefault(figure, []).append(" ".join("".join(text).split()))
            if self._open:
                self._open[-1][2].extend(text)
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1][2].append(data)


def figures(html: str) -> dict[str, list[str]]:
    parser = _Figures()
    parser.feed(html)
    return parser.found

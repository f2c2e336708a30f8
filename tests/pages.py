"""Read responses the way a person reads the page: headings, errors, fields, messages."""
from bs4 import BeautifulSoup


class Page:
    def __init__(self, response_or_html):
        html = getattr(response_or_html, "text", response_or_html)
        self.soup = BeautifulSoup(html, "html.parser")

    @property
    def is_full_page(self) -> bool:
        return self.soup.find("html") is not None

    def heading(self) -> str:
        h1 = self.soup.find("h1")
        return h1.get_text(" ", strip=True) if h1 else ""

    def error_summary(self) -> list[str]:
        summary = self.soup.select_one(".nhsuk-error-summary")
        if summary is None:
            return []
        return [li.get_text(" ", strip=True) for li in summary.select("li")]

    def field_errors(self) -> dict[str, str]:
        """Field id -> the message shown next to it."""
        return {span["id"].removesuffix("-error"):
                span.get_text(" ", strip=True).removeprefix("Error:").strip()
                for span in self.soup.select(".nhsuk-error-message")}

    def value(self, field_id: str) -> str | None:
        element = self.soup.find(id=field_id)
        if element is None:
            return None
        if element.name == "textarea":  # a browser drops the newline after <textarea>
            return element.get_text().removeprefix("\r\n").removeprefix("\n")
        if element.name == "select":
            chosen = element.find("option", selected=True)
            return chosen["value"] if chosen else None
        return element.get("value")

    def flashes(self) -> list[str]:
        return [p.get_text(" ", strip=True) for p in self.soup.select(".tandem-flash p")]

    def text(self, selector: str) -> str:
        element = self.soup.select_one(selector)
        return element.get_text(" ", strip=True) if element else ""

    def texts(self, selector: str) -> list[str]:
        return [e.get_text(" ", strip=True) for e in self.soup.select(selector)]

    def links(self) -> dict[str, str]:
        return {a.get_text(" ", strip=True): a.get("href") for a in self.soup.select("a")}

    def nav(self) -> list[str]:
        return self.texts(".nhsuk-header__navigation-list a")

    def table(self, selector: str = "table") -> list[dict[str, str]]:
        table = self.soup.select_one(selector)
        if table is None:
            return []
        headers = [th.get_text(" ", strip=True) for th in table.select("thead th")]
        return [dict(zip(headers, (td.get_text(" ", strip=True) for td in tr.select("td")),
                         strict=False))
                for tr in table.select("tbody tr")]

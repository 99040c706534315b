from pathlib import Path

import httpx


class Repo:
    def __init__(self, base: Path):
        self._base = base
        self._http = httpx.Client()

    @property
    def destination(self) -> Path:
        return self._base / "repo"

    @property
    def http(self) -> httpx.Client:
        return self._http

    async def pull(self):
        if self.destination.read_text():  # missed: property typed -> Path  # expect: FAL103
            for child in self.destination.iterdir():  # missed  # expect: FAL103
                child.unlink()  # missed  # expect: FAL103
        return self.http.get("https://example.com/archive.zip")  # missed: property -> httpx.Client  # expect: FAL102

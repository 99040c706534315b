import io
from os import PathLike


def iter_lines(content):
    if isinstance(content, (bytes, bytearray)):
        yield from io.BytesIO(content)
        return
    if isinstance(content, PathLike):
        with open(content, "rb") as handle:
            yield from handle


def first_line(content: bytes):
    return next(iter_lines(content), None)


async def handler(body: bytes):
    return first_line(body)  # bytes: the open() branch cannot run

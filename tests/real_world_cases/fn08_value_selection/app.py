import httpx


def image_size(url: str, detail: str = "auto"):
    if detail == "high" and url.startswith(("http://", "https://")):
        return len(httpx.get(url).content)  # sync download of a user-supplied image URL
    return 0


async def count_image_tokens(image: dict):
    return image_size(image["url"], image.get("detail", "auto"))  # the request decides: "high" downloads  # expect: FAL102


async def probe():
    return image_size("https://example.com/a.png", "high")  # literals that select the branch: reported  # expect: FAL102

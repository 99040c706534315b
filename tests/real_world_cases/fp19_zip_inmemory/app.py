import io
import zipfile


def skill_text(blob: bytes):
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        return archive.read("SKILL.md").decode()


async def handler(blob: bytes):
    return skill_text(blob)  # the archive is a bytes buffer in memory
